/**
 * Inputs for the in-process scale measurements: policy bundles with a subset of the rules, a
 * VirtualService with N routes, and a synthetic cluster inventory of N objects built from the
 * shared Istio corpus.
 */
import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { buildPolicyBundle } from '../src/policy/build.js';
import type { KubeObject } from '../src/kube/objects.js';
import { repoRoot, sharedObject } from './payloads.js';

/** Rule folders under policies/istio, sorted. */
export async function ruleDirs(): Promise<string[]> {
  const entries = await readdir(path.join(repoRoot, 'policies', 'istio'), { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** `count` rules spread evenly over the sorted list, so every resource kind keeps some rules. */
export function pickRules(all: string[], count: number): string[] {
  if (count >= all.length) return all;
  const step = all.length / count;
  return Array.from({ length: count }, (_, i) => all[Math.floor(i * step)] as string);
}

/** Builds a Wasm bundle from policies/{lib,main} plus the given rule folders (tests skipped). */
export async function buildSubsetBundle(opa: string, rules: string[], workDir: string): Promise<string> {
  const dir = path.join(workDir, `policies-${rules.length}`);
  await mkdir(path.join(dir, 'istio'), { recursive: true });
  for (const part of ['lib', 'main']) await cp(path.join(repoRoot, 'policies', part), path.join(dir, part), { recursive: true });
  for (const rule of rules) await cp(path.join(repoRoot, 'policies', 'istio', rule), path.join(dir, 'istio', rule), { recursive: true });
  const output = path.join(workDir, `bundle-${rules.length}.tar.gz`);
  await buildPolicyBundle({ opa, policyDir: dir, output, skipTests: true });
  return output;
}

/** A VirtualService in namespace `shop` with `routes` HTTP routes (prefix match, weighted subsets). */
export function virtualServiceWithRoutes(routes: number): KubeObject {
  const http = Array.from({ length: routes }, (_, i) => ({
    name: `route-${i}`,
    match: [{ uri: { prefix: `/api/v1/service-${i}/` }, headers: { 'x-tenant': { exact: `tenant-${i % 17}` } } }],
    timeout: '5s',
    retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,connect-failure,refused-stream' },
    route: [
      { destination: { host: `service-${i}.shop.svc.cluster.local`, subset: 'v1', port: { number: 8080 } }, weight: 90 },
      { destination: { host: `service-${i}.shop.svc.cluster.local`, subset: 'v2', port: { number: 8080 } }, weight: 10 },
    ],
  }));
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
    metadata: { name: `routes-${routes}`, namespace: 'shop' },
    spec: { hosts: ['api.shop.example.com'], gateways: ['shop/public'], http },
  };
}

interface Template {
  kind: string;
  weight: number;
  object: KubeObject;
}

function templates(): Template[] {
  return [
    { kind: 'Deployment', weight: 30, object: sharedObject('istio-samples/workloads/bookinfo.yaml', 'Deployment', 'productpage-v1') },
    { kind: 'VirtualService', weight: 15, object: sharedObject('istio-samples/pilot-testdata-config/virtual-service-all.yaml', 'VirtualService', 'all') },
    { kind: 'DestinationRule', weight: 15, object: sharedObject('istio-samples/samples/destination-rule-all-mtls.yaml', 'DestinationRule', 'reviews') },
    { kind: 'ServiceEntry', weight: 10, object: sharedObject('istio-samples/samples/github.yaml', 'ServiceEntry') },
    { kind: 'AuthorizationPolicy', weight: 10, object: sharedObject('seed-examples/4.2-authorizationpolicy.yaml', 'AuthorizationPolicy') },
    { kind: 'Gateway', weight: 8, object: sharedObject('seed-examples/3.3-gateway.yaml', 'Gateway') },
    { kind: 'Sidecar', weight: 5, object: sharedObject('istio-samples/validation-dataset/networking-v1-Sidecar.yaml', 'Sidecar') },
    { kind: 'PeerAuthentication', weight: 5, object: sharedObject('seed-examples/4.1-mtls-strict.yaml', 'PeerAuthentication') },
    { kind: 'Telemetry', weight: 2, object: sharedObject('seed-examples/5.1-telemetry.yaml', 'Telemetry') },
  ];
}

/**
 * `count` objects as the cluster view would cache them: one Namespace per 50 objects (the first
 * is `shop`, where the benchmark payloads live; all are injection-enabled) and the rest a mix of
 * Deployments and Istio resources (weights in {@link templates}) spread over those namespaces.
 */
export function syntheticInventory(count: number): KubeObject[] {
  const nsCount = Math.max(1, Math.round(count / 50));
  const namespaces = Array.from({ length: nsCount }, (_, i) => (i === 0 ? 'shop' : `team-${i}`));
  const out: KubeObject[] = namespaces.map((name) => ({
    apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'istio-injection': 'enabled', 'kubernetes.io/metadata.name': name } },
  }));
  const mix = templates();
  const total = mix.reduce((n, t) => n + t.weight, 0);
  const rest = count - out.length;
  let made = 0;
  for (const t of mix) {
    const n = t === mix[mix.length - 1] ? rest - made : Math.round((rest * t.weight) / total);
    for (let i = 0; i < n; i++) {
      const o = structuredClone(t.object);
      o.metadata = { ...o.metadata, name: `${t.kind.toLowerCase()}-${i}`, namespace: namespaces[i % nsCount], uid: `uid-${t.kind}-${i}`, resourceVersion: String(1000 + i) };
      out.push(o);
    }
    made += n;
  }
  return out;
}
