import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AdmissionReview } from '../../src/admission/types.js';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { admissionReview } from '../support/fixtures.js';
import { orgConfigFile, post, testServer } from '../support/server.js';

/** The whole response with its patch decoded. */
function decoded(body: AdmissionReview): Record<string, unknown> {
  const { patch, ...rest } = body.response!;
  return { ...rest, ...(patch ? { patch: JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as unknown } : {}) };
}

function cluster(): Inventory {
  const inventory = new Inventory();
  inventory.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } });
  return inventory;
}

const POD: KubeObject = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ratings-1', namespace: 'shop', labels: { app: 'ratings' } },
  spec: { containers: [{ name: 'ratings', image: 'ratings:1', resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } }] },
};
const RECORD = {
  cpu: { value: '50m', setBy: 'meshguard', source: "10% of the app's cpu request 500m" },
  cpuLimit: { value: '250m', setBy: 'meshguard', source: "25% of the app's cpu limit 1" },
  memory: { value: '64Mi', setBy: 'meshguard', source: 'raised to the floor mutation.sidecar.floors.memory' },
  memoryLimit: { value: '256Mi', setBy: 'meshguard', source: "25% of the app's memory limit 1Gi" },
  app: { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' },
};
const POD_PATCH = [{
  op: 'add', path: '/metadata/annotations', value: {
    'sidecar.istio.io/proxyCPU': '50m', 'sidecar.istio.io/proxyCPULimit': '250m', 'sidecar.istio.io/proxyMemory': '64Mi', 'sidecar.istio.io/proxyMemoryLimit': '256Mi',
    'meshguard.io/sidecar-sizing': JSON.stringify(RECORD), 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}',
    'meshguard.io/mutations': 'sidecar-resources,telemetry-defaults',
  },
}];

describe('POST /mutate: every mutation is explained in a warning', () => {
  let server: MeshguardServer;
  let silent: MeshguardServer;
  before(async () => {
    server = await testServer({}, { inventory: cluster() });
    silent = await testServer({ orgConfig: await orgConfigFile('mutation:\n  warnings: false\n') }, { inventory: cluster() });
  });
  after(async () => {
    await server.close();
    await silent.close();
  });

  it('a Pod: one warning per mutator, in words and numbers, beside the whole patch', async () => {
    const res = await post(server, '/mutate', admissionReview(POD, { uid: 'w-1', namespace: 'shop' })).expect(200);
    assert.deepEqual(decoded(res.body), {
      uid: 'w-1', allowed: true, patchType: 'JSONPatch', patch: POD_PATCH,
      auditAnnotations: { mutations: 'sidecar-resources,telemetry-defaults' },
      warnings: [
        "meshguard: sized the istio-proxy sidecar: cpu request 50m (10% of the app's cpu request 500m), cpu limit 250m (25% of the app's cpu limit 1), memory request 64Mi (raised to the floor mutation.sidecar.floors.memory), memory limit 256Mi (25% of the app's memory limit 1Gi)",
        'meshguard: added holdApplicationUntilProxyStarts: true to proxy.istio.io/config (org defaults for pods Istio injects)',
      ],
    });
  });

  it('a Pod with two of the four values set: the warning names what was completed and what was kept', async () => {
    const pod = { ...POD, metadata: { ...POD.metadata, annotations: { 'sidecar.istio.io/proxyCPU': '100m', 'sidecar.istio.io/proxyMemory': '128Mi' } } };
    const res = await post(server, '/mutate', admissionReview(pod, { uid: 'w-2', namespace: 'shop' })).expect(200);
    assert.deepEqual(res.body.response.warnings, [
      "meshguard: completed the istio-proxy sidecar resources: cpu limit 250m (25% of the app's cpu limit 1), memory limit 256Mi (25% of the app's memory limit 1Gi); kept yours: cpu request 100m, memory request 128Mi",
      'meshguard: added holdApplicationUntilProxyStarts: true to proxy.istio.io/config (org defaults for pods Istio injects)',
    ]);
  });

  it('a DestinationRule for an in-mesh host', async () => {
    const dr: KubeObject = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'ratings', namespace: 'shop' }, spec: { host: 'ratings' } };
    const res = await post(server, '/mutate', admissionReview(dr, { uid: 'w-3', namespace: 'shop' })).expect(200);
    assert.deepEqual(decoded(res.body), {
      uid: 'w-3', allowed: true, patchType: 'JSONPatch',
      patch: [
        { op: 'add', path: '/spec/trafficPolicy', value: { tls: { mode: 'ISTIO_MUTUAL' } } },
        { op: 'add', path: '/metadata/annotations', value: { 'meshguard.io/mutations': 'mtls-defaults' } },
      ],
      auditAnnotations: { mutations: 'mtls-defaults' },
      warnings: ['meshguard: set spec.trafficPolicy.tls.mode ISTIO_MUTUAL (in-mesh host ratings)'],
    });
  });

  it('a PeerAuthentication without a mode, and a Telemetry without a sampling rate', async () => {
    const pa: KubeObject = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: {} };
    const paRes = await post(server, '/mutate', admissionReview(pa, { uid: 'w-4', namespace: 'shop' })).expect(200);
    assert.deepEqual(paRes.body.response.warnings, ['meshguard: set spec.mtls.mode STRICT (no mode was set: mutual TLS is required by default)']);
    const tm: KubeObject = { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'mesh', namespace: 'shop' }, spec: { tracing: [{ providers: [{ name: 'zipkin' }] }] } };
    const tmRes = await post(server, '/mutate', admissionReview(tm, { uid: 'w-5', namespace: 'shop' })).expect(200);
    assert.deepEqual(decoded(tmRes.body), {
      uid: 'w-5', allowed: true, patchType: 'JSONPatch',
      patch: [
        { op: 'add', path: '/spec/tracing/0/randomSamplingPercentage', value: 1 },
        { op: 'add', path: '/metadata/annotations', value: { 'meshguard.io/mutations': 'telemetry-defaults' } },
      ],
      auditAnnotations: { mutations: 'telemetry-defaults' },
      warnings: ['meshguard: set spec.tracing[0].randomSamplingPercentage 1 (no sampling rate was set: the org default)'],
    });
  });

  it('nothing changed: no warning', async () => {
    const dr: KubeObject = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'ext', namespace: 'shop' }, spec: { host: 'api.example.com' } };
    const res = await post(server, '/mutate', admissionReview(dr, { uid: 'w-6', namespace: 'shop' })).expect(200);
    assert.deepEqual(res.body.response, { uid: 'w-6', allowed: true });
  });

  it('mutation.warnings: false: the same patch, no warnings', async () => {
    const res = await post(silent, '/mutate', admissionReview(POD, { uid: 'w-7', namespace: 'shop' })).expect(200);
    assert.deepEqual(decoded(res.body), {
      uid: 'w-7', allowed: true, patchType: 'JSONPatch', patch: POD_PATCH, auditAnnotations: { mutations: 'sidecar-resources,telemetry-defaults' },
    });
  });
});
