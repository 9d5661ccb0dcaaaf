import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/inventory/objects.js';
import { expectedVerdict } from './expectations.js';
import { NS, startHarness, type Harness } from './harness.js';
import { rejection } from './kube-api.js';
import { metricValue, type MeshguardProcess } from './meshguard-process.js';
import { waitFor } from './processes.js';

const GROUP = 'gateway.networking.k8s.io';
const PLURALS: Record<string, string> = { Gateway: 'gateways', HTTPRoute: 'httproutes' };

/** A Gateway API object of `kind` in the mesh namespace. */
function gatewayApi(kind: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: `${GROUP}/v1`, kind, metadata: { name, namespace: NS.mesh }, spec };
}

/** Creates a Gateway API object through the API server (and so through meshguard's webhooks). */
async function create(kc: KubeConfig, object: KubeObject): Promise<KubeObject> {
  return (await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: GROUP, version: 'v1', plural: PLURALS[object.kind ?? ''] ?? '', namespace: object.metadata?.namespace ?? '', body: object,
  })) as KubeObject;
}

/** Waits until the cluster data pushed to meshguard's policy engine holds `count` objects of `kind`. */
async function inventoryHolds(mg: MeshguardProcess, kind: string, count: number): Promise<void> {
  await waitFor(`policy data ${kind}=${count}`, async () => (metricValue(await mg.metrics(), 'meshguard_policy_data_objects', `kind="${kind}"`) === count ? true : undefined), { timeoutMs: 15_000, intervalMs: 100 });
}

const namespaces: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS.mesh, labels: { 'istio-injection': 'enabled', 'kubernetes.io/metadata.name': NS.mesh } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS.plain, labels: { 'kubernetes.io/metadata.name': NS.plain } } },
];

describe('Gateway API admission through a real kube-apiserver', { timeout: 300_000 }, () => {
  let h: Harness;
  let mg: MeshguardProcess;
  before(async () => {
    h = await startHarness({ webhooks: true });
    mg = h.meshguard as MeshguardProcess;
  });
  after(async () => {
    await h?.stop();
  });

  it('denies an HTTPRoute whose parentRef names no Gateway, naming [route-parent-attach], and admits it once the Gateway exists', async () => {
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'store', namespace: NS.mesh }, spec: { ports: [{ name: 'http', port: 8080 }] } };
    const core = h.kc.makeApiClient(CoreV1Api);
    await core.createNamespacedService({ namespace: NS.mesh, body: svc as V1Service });
    await inventoryHolds(mg, 'Service', (await core.listServiceForAllNamespaces()).items.length);
    const route = gatewayApi('HTTPRoute', 'store', {
      parentRefs: [{ name: 'public', sectionName: 'http' }],
      hostnames: ['store.example.com'],
      rules: [{ backendRefs: [{ name: 'store', port: 8080 }] }],
    });

    const denied = await expectedVerdict(route, [...namespaces, svc]);
    assert.deepEqual(denied.ids, ['route-parent-attach'], denied.message);
    assert.equal(denied.allowed, false);
    assert.deepEqual(await rejection(create(h.kc, route)), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: `admission webhook "istio.validate.meshguard.io" denied the request: ${denied.message}`,
    });

    const gateway = gatewayApi('Gateway', 'public', { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', hostname: '*.example.com' }] });
    const createdGateway = await create(h.kc, gateway);
    assert.equal(createdGateway.metadata?.name, 'public');
    await inventoryHolds(mg, 'KubernetesGateway', 1);

    assert.deepEqual(await expectedVerdict(route, [...namespaces, svc, gateway]), { allowed: true, warnings: [], ids: [] });
    const admitted = await create(h.kc, route);
    assert.deepEqual(admitted.spec, {
      parentRefs: [{ group: GROUP, kind: 'Gateway', name: 'public', sectionName: 'http' }],
      hostnames: ['store.example.com'],
      rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'store', port: 8080, weight: 1 }], matches: [{ path: { type: 'PathPrefix', value: '/' } }] }],
    }, 'the route as the API server stored it (with the CRD defaults)');
  });
});
