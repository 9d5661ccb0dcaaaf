/**
 * Pods of the generated workloads (test/support/traffic-history.ts) as the API server admits them,
 * the org config that sizes them from the test Prometheus, and a reader of the resulting patch.
 */
import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import type { AdmissionReview } from '../../src/admission/types.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import { sizingRecordObject, type AppFour, type Four } from './sizing-record.js';
import { NAMESPACE } from './traffic-history.js';

/** The `sizing:` section for the generated history (12h window, 5m step, 6h minimum, 1h staleness). */
export function sizingOrgConfig(url: string, extra = ''): string {
  return [
    'sizing:',
    '  source: prometheus',
    `  prometheus: {url: "${url}"}`,
    '  window: 12h',
    '  step: 5m',
    '  minHistory: 6h',
    '  staleAfter: 1h',
    extra,
  ].join('\n');
}

const APP = { name: 'app', image: 'registry.example/app:1', resources: { requests: { cpu: '500m', memory: '512Mi' } } };

/** A Pod of workload `kind`/`name` as its controller creates it (owner reference, template hash). */
export function podOf(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', name: string, opts: { hash?: string; initContainers?: unknown[] } = {}): KubeObject {
  const hash = opts.hash ?? '7d9f8c6b5';
  const owner = kind === 'Deployment' ? { kind: 'ReplicaSet', name: `${name}-${hash}` } : { kind, name };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `${owner.name}-`, namespace: NAMESPACE,
      labels: { app: name, 'sidecar.istio.io/inject': 'true', ...(kind === 'Deployment' ? { 'pod-template-hash': hash } : {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', ...owner, uid: `uid-${owner.name}`, controller: true, blockOwnerDeletion: true }],
    },
    spec: { ...(opts.initContainers ? { initContainers: opts.initContainers } : {}), containers: [APP] },
  };
}

/** The annotations of `original` after applying the response's JSON Patch. */
export function patchedAnnotations(original: KubeObject, body: AdmissionReview): Record<string, string> {
  const response = body.response!;
  assert.equal(response.allowed, true);
  assert.equal(response.patchType, 'JSONPatch', JSON.stringify(response));
  const ops = JSON.parse(Buffer.from(response.patch!, 'base64').toString('utf8')) as jsonpatch.Operation[];
  const mutated = jsonpatch.applyPatch(structuredClone(original), ops, true, false).newDocument as KubeObject;
  return mutated.metadata!.annotations!;
}

/** The four proxy annotations (in SIDECAR_KEYS order) and the parsed sizing record. */
export function sizing(annotations: Record<string, string>): { values: Record<string, string | undefined>; record: Record<string, unknown> } {
  return {
    values: {
      cpu: annotations['sidecar.istio.io/proxyCPU'], cpuLimit: annotations['sidecar.istio.io/proxyCPULimit'],
      memory: annotations['sidecar.istio.io/proxyMemory'], memoryLimit: annotations['sidecar.istio.io/proxyMemoryLimit'],
    },
    record: JSON.parse(annotations['meshguard.io/sidecar-sizing'] ?? 'null') as Record<string, unknown>,
  };
}

/** The app of the generated workloads, as the sizing record shows it: requests 500m / 512Mi, no limits. */
export const DEFAULT_APP = { cpu: '500m', cpuLimit: null, memory: '512Mi', memoryLimit: null };

/** The expected sizing record under the default org config (app {@link DEFAULT_APP} unless given). */
export function defaultRecord(values: Four, rules: Four, app: AppFour = DEFAULT_APP): Record<string, unknown> {
  return sizingRecordObject(app, values, rules);
}

function template(kind: 'Deployment' | 'StatefulSet' | 'DaemonSet', name: string, annotations: Record<string, string> = {}, initContainers?: unknown[]): KubeObject {
  return {
    apiVersion: 'apps/v1', kind, metadata: { name, namespace: NAMESPACE },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, ...(Object.keys(annotations).length ? { annotations } : {}) },
        spec: { ...(initContainers ? { initContainers } : {}), containers: [APP] },
      },
    },
  };
}

/** The generated workloads as manifests (with their injected Namespace), for `meshguard recommend --files`. */
export function workloadManifests(): KubeObject[] {
  const previous = {
    'sidecar.istio.io/proxyCPU': '50m', 'sidecar.istio.io/proxyCPULimit': '250m', 'sidecar.istio.io/proxyMemory': '64Mi', 'sidecar.istio.io/proxyMemoryLimit': '256Mi',
    'meshguard.io/sidecar-sizing': JSON.stringify(defaultRecord({ cpu: '50m', cpuLimit: '250m', memory: '64Mi', memoryLimit: '256Mi' }, { cpu: 'ratio', cpuLimit: 'factor', memory: 'floor', memoryLimit: 'floor' })),
  };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: { 'istio-injection': 'enabled' } } },
    template('Deployment', 'cart', previous),
    template('Deployment', 'search'),
    template('StatefulSet', 'ledger', { 'sidecar.istio.io/proxyMemory': '256Mi' }),
    template('Deployment', 'payments', {}, [{ name: 'istio-proxy', image: 'proxyv2', restartPolicy: 'Always' }]),
    template('Deployment', 'fresh'),
    template('DaemonSet', 'node-agent'),
  ];
}
