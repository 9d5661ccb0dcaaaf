import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, ApiextensionsV1Api, AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { startKubeCluster, type KubeCluster } from '../../e2e/apiserver.js';
import { makeClusterPki } from '../../e2e/pki.js';
import { CHART, ROOT, helm, runHelm, type HelmResult } from '../helm.js';

// `helm install` and `helm upgrade` of the chart against a real kube-apiserver (built by
// scripts/install-kube-tools.sh): every rendered object must pass the API server's validation, and
// the certificate Helm generates must survive an upgrade (lookup of the existing Secret).
// No controllers run, so the Deployment never gets pods: this is about the objects, not meshguard.

const NAMESPACE = 'meshguard-system';

/** Builds etcd and kube-apiserver once (idempotent: returns at once when .tools/bin has them). */
async function installKubeTools(): Promise<void> {
  await promisify(execFile)('bash', [path.join(ROOT, 'scripts', 'install-kube-tools.sh')], { timeout: 60 * 60_000, maxBuffer: 64 * 1024 * 1024 });
}

describe('chart against a real kube-apiserver', { timeout: 90 * 60_000 }, () => {
  let tmp: string;
  let cluster: KubeCluster | undefined;

  before(async () => {
    await Promise.all([helm(), installKubeTools()]);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'meshguard-chart-e2e-'));
    await mkdir(path.join(tmp, 'pki'));
    cluster = await startKubeCluster(tmp, await makeClusterPki());
  });

  after(async () => {
    await cluster?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const helmIn = (args: string[]): Promise<HelmResult> => runHelm([...args, '--kubeconfig', cluster?.kubeconfig ?? '', '--namespace', NAMESPACE]);

  async function tlsState(): Promise<{ secret: Record<string, string>; bundles: string[] }> {
    const kc = (cluster as KubeCluster).kc;
    const secret = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'meshguard-tls', namespace: NAMESPACE });
    const admission = kc.makeApiClient(AdmissionregistrationV1Api);
    const mutating = await admission.readMutatingWebhookConfiguration({ name: '0-meshguard-mutating' });
    const validating = await admission.readValidatingWebhookConfiguration({ name: 'meshguard-validating' });
    const bundles = [...(mutating.webhooks ?? []), ...(validating.webhooks ?? [])].map((w) => w.clientConfig.caBundle ?? '');
    return { secret: secret.data ?? {}, bundles };
  }

  it('installs, and the API server accepts every object', async () => {
    // Istio's root namespace, where gateways live (config.secretNamespaces) and the mesh config is
    // read (config.istioRootNamespace): the chart grants both there with Roles.
    await (cluster as KubeCluster).kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'istio-system' } } });
    const result = await helmIn(['install', 'meshguard', CHART, '--create-namespace', '--set', 'networkPolicy.enabled=true']);
    assert.equal(result.code, 0, result.stderr);
    const listed = await helmIn(['get', 'manifest', 'meshguard']);
    const kinds = [...listed.stdout.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]).sort();
    assert.deepEqual(kinds, [
      'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'MutatingWebhookConfiguration', 'NetworkPolicy',
      'PodDisruptionBudget', 'Role', 'Role', 'Role', 'RoleBinding', 'RoleBinding', 'RoleBinding', 'Secret', 'Service', 'ServiceAccount', 'ValidatingWebhookConfiguration',
    ]);
    const crd = await (cluster as KubeCluster).kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: 'exemptions.policy.meshguard.io' });
    assert.equal(crd.spec.names.kind, 'Exemption', 'Helm installs the Exemption CRD from the chart\'s crds/');
    const { secret, bundles } = await tlsState();
    assert.deepEqual(Object.keys(secret).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
    assert.deepEqual(bundles, Array(14).fill(secret['ca.crt']), 'all fourteen webhooks trust the generated CA');
  });

  it('upgrades with the same certificate and CA bundle (lookup), applying the changed values', async () => {
    const before = await tlsState();
    const result = await helmIn(['upgrade', 'meshguard', CHART, '--set', 'config.logLevel=debug']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await tlsState(), before);
    const deployment = await (cluster as KubeCluster).kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'meshguard', namespace: NAMESPACE });
    const env = deployment.spec?.template.spec?.containers[0]?.env ?? [];
    assert.equal(env.find((e) => e.name === 'MESHGUARD_LOG_LEVEL')?.value, 'debug');
  });

  it('uninstalls cleanly', async () => {
    const result = await helmIn(['uninstall', 'meshguard', '--wait']);
    assert.equal(result.code, 0, result.stderr);
    const admission = (cluster as KubeCluster).kc.makeApiClient(AdmissionregistrationV1Api);
    const left = await admission.listMutatingWebhookConfiguration();
    assert.deepEqual(left.items.map((c) => c.metadata?.name), []);
  });
});
