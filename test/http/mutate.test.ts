import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import type { AdmissionReview } from '../../src/admission/types.js';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { admissionReview, sharedObject } from '../support/fixtures.js';
import { post, testServer } from '../support/server.js';

/** Decodes the base64 JSON Patch of a response and applies it to a copy of the original. */
function applyResponse(original: KubeObject, body: AdmissionReview): KubeObject {
  const response = body.response!;
  assert.equal(response.patchType, 'JSONPatch');
  const ops = JSON.parse(Buffer.from(response.patch!, 'base64').toString('utf8')) as jsonpatch.Operation[];
  return jsonpatch.applyPatch(structuredClone(original), ops, true, false).newDocument as KubeObject;
}

describe('POST /mutate', () => {
  let server: MeshguardServer;
  before(async () => {
    const inventory = new Inventory();
    inventory.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } });
    inventory.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy', labels: {} } });
    server = await testServer({}, { inventory });
  });
  after(() => server.close());

  it('sizes the sidecar of a Pod in an injected namespace: all four annotations, from the app requests', async () => {
    const deployment = sharedObject('istio-samples/workloads/helloworld.yaml', 'Deployment', 'helloworld-v1');
    const template = (deployment.spec as { template: { metadata: KubeObject['metadata']; spec: unknown } }).template;
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: 'helloworld-v1-abc', namespace: 'shop' }, spec: template.spec };
    const res = await post(server, '/mutate', admissionReview(pod, { uid: 'm-1', namespace: 'shop' })).expect(200);
    assert.equal(res.body.response.uid, 'm-1');
    assert.equal(res.body.response.allowed, true);
    assert.deepEqual(res.body.response.auditAnnotations, { mutations: 'sidecar-resources,telemetry-defaults' });
    const mutated = applyResponse(pod, res.body);
    const annotations = mutated.metadata!.annotations!;
    assert.deepEqual({
      cpu: annotations['sidecar.istio.io/proxyCPU'], cpuLimit: annotations['sidecar.istio.io/proxyCPULimit'],
      memory: annotations['sidecar.istio.io/proxyMemory'], memoryLimit: annotations['sidecar.istio.io/proxyMemoryLimit'],
      mutations: annotations['meshguard.io/mutations'], proxyConfig: annotations['proxy.istio.io/config'],
    }, {
      cpu: '50m', cpuLimit: '250m', memory: '128Mi', memoryLimit: '256Mi',
      mutations: 'sidecar-resources,telemetry-defaults', proxyConfig: '{"holdApplicationUntilProxyStarts":true}',
    });
    assert.deepEqual(mutated.spec, pod.spec, 'only metadata changes');

    // A second pass over the result changes nothing.
    const again = await post(server, '/mutate', admissionReview(mutated, { uid: 'm-2', namespace: 'shop' })).expect(200);
    assert.deepEqual(again.body.response, { uid: 'm-2', allowed: true });
  });

  it('leaves a Pod in a namespace outside the mesh alone', async () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'legacy' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } };
    const res = await post(server, '/mutate', admissionReview(pod, { uid: 'm-3', namespace: 'legacy' })).expect(200);
    assert.deepEqual(res.body.response, { uid: 'm-3', allowed: true });
  });

  it('defaults a PeerAuthentication without a mode to STRICT', async () => {
    const pa: KubeObject = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: {} };
    const res = await post(server, '/mutate', admissionReview(pa, { uid: 'm-4', namespace: 'shop' })).expect(200);
    assert.deepEqual(applyResponse(pa, res.body), {
      ...pa, metadata: { ...pa.metadata, annotations: { 'meshguard.io/mutations': 'mtls-defaults' } }, spec: { mtls: { mode: 'STRICT' } },
    });
  });

  it('defaults a DestinationRule to ISTIO_MUTUAL for an in-mesh host only', async () => {
    const inMesh: KubeObject = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'shop' }, spec: { host: 'reviews' } };
    const res = await post(server, '/mutate', admissionReview(inMesh, { uid: 'm-5', namespace: 'shop' })).expect(200);
    assert.deepEqual(applyResponse(inMesh, res.body), {
      ...inMesh, metadata: { ...inMesh.metadata, annotations: { 'meshguard.io/mutations': 'mtls-defaults' } },
      spec: { host: 'reviews', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    });
    for (const [uid, host] of [['m-6', 'api.example.com'], ['m-7', 'db.legacy.svc.cluster.local']]) {
      const dr: KubeObject = { ...inMesh, spec: { host } };
      const out = await post(server, '/mutate', admissionReview(dr, { uid: uid as string, namespace: 'shop' })).expect(200);
      assert.deepEqual(out.body.response, { uid, allowed: true }, `${host} is left alone`);
    }
  });

  it('answers a dryRun request exactly like the real one', async () => {
    const pa: KubeObject = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: {} };
    const real = await post(server, '/mutate', admissionReview(pa, { uid: 'same', namespace: 'shop' })).expect(200);
    const dry = await post(server, '/mutate', admissionReview(pa, { uid: 'same', namespace: 'shop', dryRun: true })).expect(200);
    assert.deepEqual(dry.body, real.body);
  });

  const badPod = (annotations: Record<string, string>): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad', namespace: 'shop', annotations },
    spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '1', memory: '4Gi' } } }] },
  });

  const badAnnotations: Array<[string, Record<string, string>, string]> = [
    ['an unparseable value', { 'sidecar.istio.io/proxyCPU': 'abc' }, 'Pod: annotation sidecar.istio.io/proxyCPU: invalid quantity "abc": not a Kubernetes quantity'],
    ['1e1000', { 'sidecar.istio.io/proxyMemory': '1e1000' }, 'Pod: annotation sidecar.istio.io/proxyMemory: invalid quantity "1e1000": too large (above 9223372036854775807)'],
    ['a negative value', { 'sidecar.istio.io/proxyMemoryLimit': '-1Gi' }, 'Pod: annotation sidecar.istio.io/proxyMemoryLimit: "-1Gi" must not be negative'],
    [
      'a limit below its request',
      { 'sidecar.istio.io/proxyMemory': '512Mi', 'sidecar.istio.io/proxyMemoryLimit': '256Mi' },
      'Pod: annotation sidecar.istio.io/proxyMemoryLimit: "256Mi" is below sidecar.istio.io/proxyMemory "512Mi"; a limit must not be below its request',
    ],
  ];
  for (const [what, annotations, message] of badAnnotations) {
    it(`denies a Pod whose proxy annotation has ${what} with a 422 naming it, not a 500`, async () => {
      const res = await post(server, '/mutate', admissionReview(badPod(annotations), { uid: 'm-8', namespace: 'shop' })).expect(200);
      assert.deepEqual(res.body.response, {
        uid: 'm-8', allowed: false,
        status: { code: 422, reason: 'Invalid', message: `mutator sidecar-resources: ${message}` },
      });
    });
  }

  it('denies a Pod whose container requests 1e1000 bytes with a 422 naming the container field', async () => {
    const pod: KubeObject = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad', namespace: 'shop' },
      spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { memory: '1e1000' } } }] },
    };
    const res = await post(server, '/mutate', admissionReview(pod, { uid: 'm-11', namespace: 'shop' })).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 'm-11', allowed: false,
      status: {
        code: 422, reason: 'Invalid',
        message: 'mutator sidecar-resources: Pod: container "app" resources.requests.memory: invalid quantity "1e1000": too large (above 9223372036854775807)',
      },
    });
  });

  it('writes the user limit itself as the request it lowers (app memory 4Gi, proxyMemoryLimit 400M)', async () => {
    const pod = badPod({ 'sidecar.istio.io/proxyMemoryLimit': '400M' });
    const res = await post(server, '/mutate', admissionReview(pod, { uid: 'm-9', namespace: 'shop' })).expect(200);
    const annotations = applyResponse(pod, res.body).metadata!.annotations!;
    assert.equal(annotations['sidecar.istio.io/proxyMemory'], '400M');
    assert.equal(annotations['sidecar.istio.io/proxyMemoryLimit'], '400M');
  });
});

describe('POST /mutate with failureMode allow', () => {
  let server: MeshguardServer;
  before(async () => {
    const inventory = new Inventory();
    inventory.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } });
    server = await testServer({ failureMode: 'allow' }, { inventory });
  });
  after(() => server.close());

  it("still denies a bad proxy annotation: it is the author's error, not meshguard's", async () => {
    const pod: KubeObject = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad', namespace: 'shop', annotations: { 'sidecar.istio.io/proxyCPU': '1e600' } },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    };
    const res = await post(server, '/mutate', admissionReview(pod, { uid: 'm-10', namespace: 'shop' })).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 'm-10', allowed: false,
      status: {
        code: 422, reason: 'Invalid',
        message: 'mutator sidecar-resources: Pod: annotation sidecar.istio.io/proxyCPU: invalid quantity "1e600": too large (above 9223372036854775807)',
      },
    });
  });
});
