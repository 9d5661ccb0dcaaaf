import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, type V1Namespace } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/inventory/objects.js';
import { expectedVerdict } from './expectations.js';
import { NS, startHarness, type Harness } from './harness.js';
import { createIstio, getIstio, istio, rejection, userView, warningTexts } from './kube-api.js';
import { metricValue, type MeshguardProcess } from './meshguard-process.js';
import { waitFor } from './processes.js';

/** An ambient namespace whose traffic goes through the waypoint `waypoint`, which does not exist yet. */
const AMBIENT = 'e2e-ambient';

/** Waits until the cluster data pushed to meshguard's policy engine holds `count` objects of `kind`. */
async function inventoryHolds(mg: MeshguardProcess, kind: string, count: number): Promise<void> {
  await waitFor(`policy data ${kind}=${count}`, async () => (metricValue(await mg.metrics(), 'meshguard_policy_data_objects', `kind="${kind}"`) === count ? true : undefined), { timeoutMs: 15_000, intervalMs: 100 });
}

const namespace: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: AMBIENT, labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' } } };

const waypoint: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'waypoint', namespace: AMBIENT },
  spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
};

/** A DENY on HTTP paths and methods: only a waypoint can enforce it. */
const denyAdmin = { action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'], paths: ['/admin/*'] } }] }] };

const rejected = (message: string | undefined): Record<string, unknown> => ({
  kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
  message: `admission webhook "istio.validate.meshguard.io" denied the request: ${message}`,
});

describe('ambient mode through a real kube-apiserver', { timeout: 300_000 }, () => {
  let h: Harness;
  let mg: MeshguardProcess;
  before(async () => {
    h = await startHarness({ webhooks: true });
    mg = h.meshguard as MeshguardProcess;
    const core = h.kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: namespace as V1Namespace });
    await inventoryHolds(mg, 'Namespace', (await core.listNamespace()).items.length);
  });
  after(async () => {
    await h?.stop();
  });

  it('rejects an L7 DENY AuthorizationPolicy that ztunnel would enforce as nothing, naming [amb-ap-unenforced]', async () => {
    const ap = istio('AuthorizationPolicy', AMBIENT, 'deny-admin', denyAdmin);
    const want = await expectedVerdict(ap, [namespace]);
    assert.deepEqual(want.ids, ['amb-ap-unenforced']);
    assert.deepEqual(await rejection(createIstio(h.kc, ap)), rejected(want.message));
    assert.equal(await getIstio(h.kc, 'AuthorizationPolicy', AMBIENT, 'deny-admin'), undefined);
  });

  it('rejects the policy attached to a waypoint that does not exist yet [amb-target-refs], and admits it once the waypoint exists', async () => {
    const ap = istio('AuthorizationPolicy', AMBIENT, 'deny-admin', { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }], ...denyAdmin });
    const before = await expectedVerdict(ap, [namespace]);
    assert.deepEqual(before.ids, ['amb-target-refs']);
    assert.deepEqual(await rejection(createIstio(h.kc, ap)), rejected(before.message));

    await h.kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: 'gateway.networking.k8s.io', version: 'v1', namespace: AMBIENT, plural: 'gateways', body: waypoint });
    await inventoryHolds(mg, 'KubernetesGateway', 1);
    const want = await expectedVerdict(ap, [namespace, waypoint]);
    assert.deepEqual({ allowed: want.allowed, ids: want.ids }, { allowed: true, ids: [] });
    const created = await createIstio(h.kc, ap);
    assert.deepEqual(userView(created.object), ap);
    assert.deepEqual(warningTexts(created.headers.warning), []);
  });

  it('still rejects the ztunnel-enforced L7 DENY while the waypoint exists: only targetRefs attach a policy to it', async () => {
    const ap = istio('AuthorizationPolicy', AMBIENT, 'deny-admin-ztunnel', denyAdmin);
    const want = await expectedVerdict(ap, [namespace, waypoint]);
    assert.deepEqual(want.ids, ['amb-ap-unenforced']);
    assert.deepEqual(await rejection(createIstio(h.kc, ap)), rejected(want.message));
  });

  it('leaves sidecar namespaces alone: the same policy is admitted in the injection namespace', async () => {
    const ap = istio('AuthorizationPolicy', NS.mesh, 'deny-admin', denyAdmin);
    assert.deepEqual(userView((await createIstio(h.kc, ap)).object), ap);
  });
});
