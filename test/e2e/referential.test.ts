import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CoreV1Api, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import type { KubeObject } from '../../src/inventory/objects.js';
import { apply, kubeToolsDir } from './apiserver.js';
import { NS, startHarness, waitForWebhooks, type Harness } from './harness.js';
import { createIstio, getIstio, istio, rejection } from './kube-api.js';
import { metricValue, type MeshguardProcess } from './meshguard-process.js';
import { waitFor } from './processes.js';
import { CREATE_NAMESPACE_WHILE_DOWN, DELETE_ROUTED_DESTINATION_RULE, DELETE_UNUSED_DESTINATION_RULE, DELETE_VIRTUAL_SERVICE } from './referential-texts.js';

const run = promisify(execFile);

/** Runs the real kubectl (scripts/install-kube-tools.sh) as the cluster admin; never throws. */
async function kubectl(h: Harness, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = path.join(kubeToolsDir(), 'kubectl');
  try {
    const { stdout, stderr } = await run(bin, ['--kubeconfig', h.cluster.kubeconfig, '--cache-dir', path.join(h.tmp, 'kubectl-cache'), ...args], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Waits until the cluster data pushed to meshguard's policy engine holds `count` objects of `kind`. */
async function inventoryHolds(mg: MeshguardProcess, kind: string, count: number): Promise<void> {
  await waitFor(`policy data ${kind}=${count}`, async () => (metricValue(await mg.metrics(), 'meshguard_policy_data_objects', `kind="${kind}"`) === count ? true : undefined), { timeoutMs: 15_000, intervalMs: 100 });
}

function pod(namespace: string, name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1' }] } };
}

function routeTo(name: string, destinations: Array<Record<string, unknown>>): KubeObject {
  return istio('VirtualService', NS.mesh, name, { hosts: ['reviews'], http: [{ route: destinations }] });
}

describe('referential integrity and blast radius through a real kube-apiserver and kubectl', { timeout: 240_000 }, () => {
  let h: Harness;
  let mg: MeshguardProcess;
  before(async () => {
    h = await startHarness({ webhooks: false });
    mg = h.meshguard as MeshguardProcess;
    // The objects exist before meshguard is registered: only the deletion is under test.
    await apply(h.kc, [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: NS.mesh }, spec: { ports: [{ name: 'http', port: 9080 }] } },
      istio('DestinationRule', NS.mesh, 'reviews', { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] }),
      routeTo('reviews', [{ destination: { host: 'reviews', subset: 'v1' } }]),
      routeTo('reviews-canary', [{ destination: { host: 'reviews' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v1' }, weight: 10 }]),
    ] as KubernetesObject[]);
    await inventoryHolds(mg, 'VirtualService', 2);
    await inventoryHolds(mg, 'DestinationRule', 1);
    // Pods fail closed here (the org's choice), to show which namespaces the Pod webhooks see at all.
    await h.registerWebhooks(['--set', 'webhook.failurePolicies.podsMutate=Fail', '--set', 'webhook.failurePolicies.workloadsValidate=Fail']);
    await waitForWebhooks(h.kc);
  });
  after(async () => {
    await h?.stop();
  });

  it('kubectl delete of a DestinationRule whose subset VirtualServices route to is refused, naming them; once unused it is deleted', async () => {
    assert.deepEqual(await kubectl(h, ['delete', 'destinationrule', 'reviews', '-n', NS.mesh]), { code: 1, stdout: '', stderr: DELETE_ROUTED_DESTINATION_RULE });
    assert.ok(await getIstio(h.kc, 'DestinationRule', NS.mesh, 'reviews'), 'the DestinationRule is still there');

    assert.deepEqual(await kubectl(h, ['delete', 'virtualservice', 'reviews', '-n', NS.mesh]), { code: 0, stdout: DELETE_VIRTUAL_SERVICE, stderr: '' });
    await kubectl(h, ['delete', 'virtualservice', 'reviews-canary', '-n', NS.mesh]);
    await inventoryHolds(mg, 'VirtualService', 0);
    assert.deepEqual(await kubectl(h, ['delete', 'destinationrule', 'reviews', '-n', NS.mesh]), { code: 0, stdout: DELETE_UNUSED_DESTINATION_RULE, stderr: '' });
  });

  it('with meshguard down: Pods outside the mesh and in istio-system and new namespaces are admitted; mesh Pods and root-namespace Istio config are not', async () => {
    await mg.stop();
    const core = h.kc.makeApiClient(CoreV1Api);
    const plain = await core.createNamespacedPod({ namespace: NS.plain, body: pod(NS.plain, 'outside') as V1Pod });
    assert.equal(plain.metadata?.name, 'outside', 'a namespace outside the mesh is never sent to meshguard');
    const istiod = await core.createNamespacedPod({ namespace: 'istio-system', body: pod('istio-system', 'istiod') as V1Pod });
    assert.equal(istiod.metadata?.name, 'istiod', "istio-system's own pods never wait for meshguard");
    assert.deepEqual(await kubectl(h, ['create', 'namespace', 'shop']), { code: 0, stdout: CREATE_NAMESPACE_WHILE_DOWN, stderr: '' });

    const mesh = await rejection(core.createNamespacedPod({ namespace: NS.mesh, body: pod(NS.mesh, 'inside') as V1Pod }));
    assert.equal(mesh.code, 500);
    assert.match(mesh.message, /^Internal error occurred: failed calling webhook "pods\.mutate\.meshguard\.io": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/mutate\?timeout=5s": dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/);
    const rootPolicy = await rejection(createIstio(h.kc, istio('PeerAuthentication', 'istio-system', 'mesh-wide', { mtls: { mode: 'STRICT' } })));
    assert.equal(rootPolicy.code, 500, 'Istio configuration in the root namespace is still validated (and fails closed)');
    assert.match(rootPolicy.message, /failed calling webhook "istio\.validate\.meshguard\.io"/);
  });
});
