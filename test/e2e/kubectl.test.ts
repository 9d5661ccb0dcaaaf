import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readManifests } from '../../src/cli/manifests.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import { sharedData } from '../support/paths.js';
import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { kubeToolsDir } from './apiserver.js';
import { NS, startHarness, type Harness } from './harness.js';
import { KUBECTL_CASES, type KubectlCase } from './kubectl-expected.js';
import { metricValue, type MeshguardProcess } from './meshguard-process.js';
import { waitFor } from './processes.js';

/** The design document's examples; kubectl runs in this folder, so it names the files as a user would. */
const SEED = path.join(sharedData, 'seed-examples');

interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl (built by scripts/install-kube-tools.sh) against the test apiserver as its admin. */
function kubectl(h: Harness, args: readonly string[]): Promise<KubectlResult> {
  const bin = path.join(kubeToolsDir(), 'kubectl');
  return new Promise((resolve, reject) => {
    execFile(bin, [...args], { cwd: SEED, env: { KUBECONFIG: h.cluster.kubeconfig, HOME: h.tmp, PATH: process.env.PATH ?? '' }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : undefined) : 0;
      if (code === undefined) reject(err ?? new Error('kubectl did not exit'));
      else resolve({ code, stdout, stderr });
    });
  });
}

/** The Pod the design document's Deployment (6.1) gets from its controller, written beside the other files for kubectl. */
async function podOfDeployment(h: Harness): Promise<string> {
  const [deployment] = (await readManifests([path.join(SEED, '6.1-deployment-sidecar-annotations.yaml')])).map((m) => m.object);
  const template = (deployment?.spec as { template: KubeObject }).template;
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { ...template.metadata, name: 'my-app-7d9c5' }, spec: template.spec };
  const file = path.join(h.tmp, 'my-app-pod.yaml');
  await writeFile(file, JSON.stringify(pod));
  return file;
}

/** The design document's app: the Service `my-app` its DestinationRules and VirtualServices name; waits until meshguard's inventory holds it. */
async function createAppService(h: Harness): Promise<void> {
  const core = h.kc.makeApiClient(CoreV1Api);
  const svc: V1Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'my-app', namespace: NS.mesh }, spec: { selector: { app: 'my-app' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } };
  await core.createNamespacedService({ namespace: NS.mesh, body: svc });
  const count = (await core.listServiceForAllNamespaces()).items.length;
  const mg = h.meshguard as MeshguardProcess;
  await waitFor(`policy data Service=${count}`, async () => (metricValue(await mg.metrics(), 'meshguard_policy_data_objects', 'kind="Service"') === count ? true : undefined), { timeoutMs: 15_000, intervalMs: 100 });
}

/**
 * What `kubectl` prints for meshguard's answers, through the real client, the real kube-apiserver
 * and meshguard registered from the chart: a denial, a warning and a mutation, each for
 * `kubectl apply --dry-run=server` and `kubectl apply`, and `kubectl create namespace`. The
 * expected texts live in kubectl-expected.ts (the README's "What kubectl prints" copies them).
 */
describe('what kubectl prints', { timeout: 300_000 }, () => {
  let h: Harness;
  let podFile: string;
  before(async () => {
    h = await startHarness({ webhooks: true });
    podFile = await podOfDeployment(h);
    await createAppService(h);
  });
  after(async () => {
    await h?.stop();
  });

  for (const c of KUBECTL_CASES) {
    it(c.title, async () => {
      const args = c.args.map((a) => (a === '<pod-file>' ? podFile : a));
      const got = await kubectl(h, args);
      assert.deepEqual({ ...got, stderr: got.stderr.replaceAll(podFile, '<pod-file>') }, expected(c));
    });
  }
});

function expected(c: KubectlCase): KubectlResult {
  return { code: c.code, stdout: c.stdout, stderr: c.stderr };
}


