import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../support/paths.js';
import { apply, GATEWAY_API_CRDS, installCrdDirectory, installCrds, ISTIO_CRDS, startKubeCluster, writeKubeconfig, type KubeCluster } from './apiserver.js';
import { startMeshguard, writeMeshguardTls, type MeshguardProcess } from './meshguard-process.js';
import { makeClusterPki, type ClusterPki } from './pki.js';
import { waitFor } from './processes.js';

const run = promisify(execFile);

/** Namespaces every harness creates. */
export const NS = {
  /** meshguard's own namespace (the Helm release namespace; never intercepted). */
  system: 'meshguard-system',
  /** Labelled istio-injection=enabled. */
  mesh: 'e2e-mesh',
  /** No mesh label. */
  plain: 'e2e-plain',
} as const;

/** Namespaces where the e2e gateways and their Secrets live (setting secretNamespaces, chart RBAC). */
export const SECRET_NAMESPACES = [NS.mesh, NS.plain];

/** meshguard's own CRDs (the Exemption), as shipped in crds/meshguard/. */
export const MESHGUARD_CRDS = path.join(repoRoot, 'crds', 'meshguard', 'exemptions.policy.meshguard.io.yaml');

/** The Helm release name the chart is rendered with. */
export const RELEASE = 'meshguard';

/** A running end-to-end environment. */
export interface Harness {
  tmp: string;
  pki: ClusterPki;
  cluster: KubeCluster;
  /** Admin client config. */
  kc: KubeConfig;
  /** kubeconfig with the chart's ServiceAccount token (the chart's RBAC, nothing more). */
  saKubeconfig: string;
  /** meshguard's tls.crt, tls.key and ca.crt. */
  tlsDir: string;
  meshguard: MeshguardProcess | undefined;
  /** Milliseconds per start-up phase. */
  timings: Record<string, number>;
  /** Starts meshguard (as the chart's ServiceAccount) and waits until it is ready. */
  startMeshguard(extraFlags?: string[]): Promise<MeshguardProcess>;
  /** Renders the chart's webhook configurations for meshguard's URL and applies them. */
  registerWebhooks(helmArgs?: string[]): Promise<KubernetesObject[]>;
  /** Stops everything and removes the temporary directory (KEEP_E2E_TMP=1 keeps it). */
  stop(): Promise<void>;
}

/** The helm binary scripts/install-helm.sh installs (built once, then cached in .tools/bin). */
export async function helmBinary(): Promise<string> {
  const { stdout } = await run('bash', [path.join(repoRoot, 'scripts', 'install-helm.sh')], { timeout: 20 * 60_000 });
  return stdout.trim().split('\n').pop() ?? 'helm';
}

/** `helm template` of the chart (release meshguard, namespace meshguard-system), parsed. */
export async function helmTemplate(args: string[]): Promise<KubernetesObject[]> {
  const helm = await helmBinary();
  const { stdout } = await run(helm, ['template', RELEASE, path.join(repoRoot, 'charts', 'meshguard'), '--namespace', NS.system, ...args], { timeout: 60_000 });
  return parseAllDocuments(stdout).map((d) => d.toJS() as KubernetesObject | null).filter((d): d is KubernetesObject => Boolean(d?.kind));
}

/**
 * Starts the whole environment: certificates, etcd, kube-apiserver, the Istio, Kubernetes Gateway
 * API and meshguard CRDs, the test namespaces, the chart's ServiceAccount and RBAC (meshguard runs
 * with that token, so a missing grant shows up as meshguard never getting ready), then meshguard
 * itself and, when asked, the
 * webhook configurations rendered from the chart. On any failure everything started is stopped.
 */
export async function startHarness(opts: { meshguard?: boolean; webhooks?: boolean; meshguardFlags?: string[] } = {}): Promise<Harness> {
  const timings: Record<string, number> = {};
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[name] = Math.round(performance.now() - t0);
    }
  };
  const started = performance.now();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'meshguard-e2e-'));
  await mkdir(path.join(tmp, 'pki'));
  let cluster: KubeCluster | undefined;
  let meshguard: MeshguardProcess | undefined;
  const stop = async (): Promise<void> => {
    await meshguard?.stop();
    await cluster?.stop();
    if (process.env.KEEP_E2E_TMP === '1') console.error(`e2e: kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  };
  try {
    const pki = await phase('certificates', makeClusterPki);
    cluster = await phase('etcd+apiserver', () => startKubeCluster(tmp, pki));
    const kc = cluster.kc;
    await phase('istio CRDs', () => installCrds(kc, ISTIO_CRDS));
    await phase('gateway API CRDs', () => installCrdDirectory(kc, GATEWAY_API_CRDS));
    await phase('meshguard CRDs', () => installCrds(kc, MESHGUARD_CRDS));
    await phase('namespaces', () => apply(kc, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS.system } },
      // Istio's root namespace: the chart's mesh-config Role lives there (config.istioRootNamespace).
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS.mesh, labels: { 'istio-injection': 'enabled' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS.plain } },
    ] as KubernetesObject[]));
    const saKubeconfig = path.join(tmp, 'meshguard-sa.kubeconfig');
    await phase('chart RBAC', async () => {
      const objects = await helmTemplate([
        '--set', 'config.selfCheck=patch', '--set-string', `config.secretNamespaces=${SECRET_NAMESPACES.join('\\,')}`,
        '--show-only', 'templates/serviceaccount.yaml', '--show-only', 'templates/rbac.yaml',
      ]);
      await apply(kc, objects);
      const sa = objects.find((o) => o.kind === 'ServiceAccount')?.metadata?.name ?? RELEASE;
      const token = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({ name: sa, namespace: NS.system, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
      await writeKubeconfig(saKubeconfig, cluster?.server ?? '', pki.ca.cert, { token: token.status?.token ?? '' });
    });
    const tlsDir = path.join(tmp, 'meshguard-tls');
    await writeMeshguardTls(tlsDir, pki);
    const h: Harness = {
      tmp, pki, cluster, kc, saKubeconfig, tlsDir, meshguard, timings, stop,
      async startMeshguard(extraFlags = opts.meshguardFlags ?? ['--self-check', 'patch']) {
        const flags = ['--secret-namespaces', SECRET_NAMESPACES.join(','), ...extraFlags];
        meshguard = await phase('meshguard ready', () => startMeshguard({ tmp, tlsDir, kubeconfig: saKubeconfig, extraFlags: flags }));
        h.meshguard = meshguard;
        return meshguard;
      },
      async registerWebhooks(helmArgs = []) {
        if (!meshguard) throw new Error('start meshguard first');
        const caFile = path.join(tmp, 'pki', 'webhook-ca.pem');
        await writeFile(caFile, pki.ca.cert);
        const objects = await helmTemplate([
          '--set-string', `webhook.url=${meshguard.url}`, '--set-file', `tls.caBundle=${caFile}`,
          '--show-only', 'templates/mutatingwebhookconfiguration.yaml', '--show-only', 'templates/validatingwebhookconfiguration.yaml', ...helmArgs,
        ]);
        await apply(kc, objects);
        return objects;
      },
    };
    if (opts.meshguard !== false) await h.startMeshguard();
    if (opts.webhooks) await phase('webhooks active', async () => {
      await h.registerWebhooks();
      await waitForWebhooks(kc);
    });
    timings.total = Math.round(performance.now() - started);
    return h;
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Waits until the API server calls the validating webhook: a dry-run PeerAuthentication with a
 * PERMISSIVE mode is rejected (the API server picks up new configurations asynchronously).
 */
export async function waitForWebhooks(kc: KubeConfig): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  await waitFor('webhook configurations active', async () => {
    try {
      await api.createNamespacedCustomObject({
        group: 'security.istio.io', version: 'v1', namespace: NS.mesh, plural: 'peerauthentications', dryRun: 'All',
        body: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'probe' }, spec: { mtls: { mode: 'PERMISSIVE' } } },
      });
      return undefined;
    } catch (err) {
      return String((err as { body?: unknown }).body ?? '').includes('pa-strict-mtls') ? true : undefined;
    }
  }, { timeoutMs: 30_000, intervalMs: 250 });
}
