/**
 * Inputs for the in-process scale measurements: policy bundles with a subset of the rules, a
 * VirtualService with N routes, and a synthetic cluster inventory of N objects built from the
 * shared Istio corpus.
 */
import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { buildPolicyBundle } from '../src/policy/build.js';
import type { KubeObject } from '../src/inventory/objects.js';
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

/** The objects of one application `app` in namespace `ns`: its Deployment and Istio routing and policy. */
function appObjects(app: string, ns: string, deployment: KubeObject): KubeObject[] {
  const host = `${app}.${ns}.svc.cluster.local`;
  const meta = (kind: string): Record<string, unknown> => ({ name: app, namespace: ns, uid: `uid-${kind}-${ns}-${app}`, resourceVersion: '1000' });
  const dep = structuredClone(deployment);
  const labels = { app, version: 'v1' };
  dep.metadata = { ...meta('Deployment'), labels };
  dep.spec = { ...(dep.spec as object), selector: { matchLabels: labels }, template: { ...(dep.spec as { template: object }).template, metadata: { labels } } };
  return [dep, {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta('VirtualService'),
    spec: { hosts: [host], http: [{ match: [{ uri: { prefix: '/' } }], route: [{ destination: { host, subset: 'v1' }, weight: 90 }, { destination: { host, subset: 'v2' }, weight: 10 }], timeout: '5s' }] },
  }, {
    apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta('DestinationRule'),
    spec: { host, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
  }, {
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta('AuthorizationPolicy'),
    spec: { selector: { matchLabels: { app } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/frontend`] } }], to: [{ operation: { methods: ['GET', 'POST'] } }] }] },
  }];
}

/** The per-namespace objects: the Namespace, STRICT mTLS, a default Sidecar, Telemetry and one ServiceEntry. */
function namespaceObjects(ns: string): KubeObject[] {
  const meta = (kind: string, name: string): Record<string, unknown> => ({ name, namespace: ns, uid: `uid-${kind}-${ns}`, resourceVersion: '1000' });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'istio-injection': 'enabled', 'kubernetes.io/metadata.name': ns } } },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: meta('PeerAuthentication', 'default'), spec: { mtls: { mode: 'STRICT' } } },
    { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: meta('Sidecar', 'default'), spec: { egress: [{ hosts: ['./*', 'istio-system/*'] }] } },
    { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: meta('Telemetry', 'default'), spec: { tracing: [{ randomSamplingPercentage: 1 }] } },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: meta('ServiceEntry', 'payments-api'),
      spec: { hosts: [`payments-${ns}.example.com`], location: 'MESH_EXTERNAL', ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' },
    },
  ];
}

/**
 * `count` objects as the cluster view would cache them, in namespaces of about 50 objects: per
 * namespace the Namespace (injection on), a STRICT PeerAuthentication, a default Sidecar, a
 * Telemetry and a ServiceEntry, then applications of four objects each (Deployment,
 * VirtualService, DestinationRule and AuthorizationPolicy with hosts and labels of their own, as
 * in a real cluster). The first namespace is `shop`, where the benchmark payloads live.
 */
export function syntheticInventory(count: number): KubeObject[] {
  const deployment = sharedObject('istio-samples/workloads/bookinfo.yaml', 'Deployment', 'productpage-v1');
  const out: KubeObject[] = [];
  for (let n = 0; out.length < count; n++) {
    const ns = n === 0 ? 'shop' : `team-${n}`;
    out.push(...namespaceObjects(ns));
    for (let a = 0; a < 11 && out.length < count; a++) out.push(...appObjects(`app-${a}`, ns, deployment));
  }
  return out.slice(0, count);
}
