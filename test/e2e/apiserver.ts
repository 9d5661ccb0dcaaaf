import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { ApiextensionsV1Api, KubeConfig, KubernetesObjectApi, loadYaml, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { repoRoot, sharedData } from '../support/paths.js';
import type { ClusterPki } from './pki.js';
import { alive, freePort, startProcess, waitFor, type Proc } from './processes.js';

/** The Istio CRDs the tests install (release 1.30.3). */
export const ISTIO_CRDS = path.join(sharedData, 'istio-crds', 'release-1.30.3', 'crd-all.gen.yaml');
/** The Kubernetes Gateway API CRDs the tests install (v1.6.1, standard channel): one file per CRD. */
export const GATEWAY_API_CRDS = path.join(sharedData, 'gateway-api', 'crds-v1.6.1-standard');
/** Field manager of every server-side apply the tests make. */
export const FIELD_MANAGER = 'meshguard-e2e';

/** etcd and kube-apiserver on loopback, and an admin kubeconfig for them. */
export interface KubeCluster {
  server: string;
  /** Admin (system:masters) kubeconfig file. */
  kubeconfig: string;
  kc: KubeConfig;
  etcd: Proc;
  apiserver: Proc;
  /** Stops kube-apiserver, keeps it down for `downMs`, starts it again on the same port (etcd keeps the data). */
  restartApiserver(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** The directory install-kube-tools.sh builds into; throws with the command to run when empty. */
export function kubeToolsDir(): string {
  const dir = path.join(repoRoot, '.tools', 'bin');
  for (const tool of ['etcd', 'kube-apiserver']) {
    if (!existsSync(path.join(dir, tool))) throw new Error(`${dir}/${tool} is missing: run bash scripts/install-kube-tools.sh (npm run test:e2e does)`);
  }
  return dir;
}

/** GET over HTTPS with the admin client certificate; resolves with status and body. */
export function adminGet(url: string, pki: ClusterPki): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Writes a kubeconfig with inline certificates (client certificate or bearer token). */
export async function writeKubeconfig(file: string, server: string, caPem: string, user: { cert: string; key: string } | { token: string }): Promise<void> {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const userBody = 'token' in user ? { token: user.token } : { 'client-certificate-data': b64(user.cert), 'client-key-data': b64(user.key) };
  const config = {
    apiVersion: 'v1', kind: 'Config', 'current-context': 'e2e',
    clusters: [{ name: 'e2e', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name: 'e2e', user: userBody }],
    contexts: [{ name: 'e2e', context: { cluster: 'e2e', user: 'e2e' } }],
  };
  await writeFile(file, JSON.stringify(config, null, 2), { mode: 0o600 });
}

/**
 * Starts etcd and kube-apiserver on free loopback ports with the flags of scripts/smoke-kube.sh
 * (RBAC on, ServiceAccount admission off since no controller-manager runs, no endpoint
 * reconciler), waits for /readyz (bounded) and writes the admin kubeconfig.
 */
export async function startKubeCluster(tmp: string, pki: ClusterPki): Promise<KubeCluster> {
  const bin = kubeToolsDir();
  const pkiDir = path.join(tmp, 'pki');
  const files = {
    ca: path.join(pkiDir, 'ca.crt'), cert: path.join(pkiDir, 'apiserver.crt'), key: path.join(pkiDir, 'apiserver.key'),
    saKey: path.join(pkiDir, 'sa.key'), saPub: path.join(pkiDir, 'sa.pub'),
  };
  await Promise.all([
    writeFile(files.ca, pki.ca.cert), writeFile(files.cert, pki.apiserver.cert), writeFile(files.key, pki.apiserver.key, { mode: 0o600 }),
    writeFile(files.saKey, pki.serviceAccount.privateKey, { mode: 0o600 }), writeFile(files.saPub, pki.serviceAccount.publicKey),
  ]);
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const etcd = startProcess('etcd', path.join(bin, 'etcd'), [
    '--name=e2e', `--data-dir=${path.join(tmp, 'etcd-data')}`, `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=http://127.0.0.1:${peerPort}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
    `--initial-cluster=e2e=http://127.0.0.1:${peerPort}`, '--unsafe-no-fsync', '--log-level=warn',
  ], { logFile: path.join(tmp, 'etcd.log') });
  const stopAll = async (procs: Proc[]): Promise<void> => {
    for (const p of procs) await p.stop();
  };
  try {
    await waitFor('etcd healthy', async () => {
      const res = await fetch(`${etcdUrl}/health`, { signal: AbortSignal.timeout(2000) });
      return (await res.text()).includes('"health":"true"') ? true : undefined;
    }, { timeoutMs: 30_000, abortIf: () => (alive(etcd) ? undefined : `etcd exited:\n${etcd.tail()}`) });
  } catch (err) {
    await stopAll([etcd]);
    throw err;
  }
  const apiserverArgs = [
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`, `--etcd-servers=${etcdUrl}`,
    `--tls-cert-file=${files.cert}`, `--tls-private-key-file=${files.key}`, `--client-ca-file=${files.ca}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local', `--service-account-key-file=${files.saPub}`,
    `--service-account-signing-key-file=${files.saKey}`, '--service-cluster-ip-range=10.0.0.0/24', '--authorization-mode=RBAC',
    '--disable-admission-plugins=ServiceAccount', '--endpoint-reconciler-type=none', '--allow-privileged=true', '--profiling=false', '--v=1',
  ];
  const server = `https://127.0.0.1:${apiPort}`;
  const startApiserver = async (): Promise<Proc> => {
    const proc = startProcess('kube-apiserver', path.join(bin, 'kube-apiserver'), apiserverArgs, { logFile: path.join(tmp, 'kube-apiserver.log') });
    try {
      await waitFor('kube-apiserver /readyz', async () => ((await adminGet(`${server}/readyz`, pki)).body === 'ok' ? true : undefined), {
        timeoutMs: 120_000, abortIf: () => (alive(proc) ? undefined : `kube-apiserver exited:\n${proc.tail()}`),
      });
    } catch (err) {
      await stopAll([proc, etcd]);
      throw err;
    }
    return proc;
  };
  const kubeconfig = path.join(tmp, 'admin.kubeconfig');
  await writeKubeconfig(kubeconfig, server, pki.ca.cert, pki.admin);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const cluster: KubeCluster = {
    server, kubeconfig, kc, etcd, apiserver: await startApiserver(),
    async restartApiserver(downMs) {
      await cluster.apiserver.stop();
      await new Promise((r) => setTimeout(r, downMs));
      cluster.apiserver = await startApiserver();
    },
    stop: () => stopAll([cluster.apiserver, etcd]),
  };
  return cluster;
}

/**
 * Server-side applies plain JSON objects the way `kubectl apply --server-side` does. Each object
 * goes through client-node's `loadYaml` first: its serializer only knows the typed models' own
 * property names, and would silently drop fields such as `x-kubernetes-int-or-string` of a plain
 * object.
 */
export async function apply(kc: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  const client = KubernetesObjectApi.makeApiClient(kc);
  for (const o of objects) await client.patch(loadYaml<KubernetesObject>(JSON.stringify(o)), undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
}

/** Installs CRDs from a multi-document YAML file and waits until each is Established and served. */
export async function installCrds(kc: KubeConfig, file: string): Promise<string[]> {
  const docs = parseAllDocuments(await readFile(file, 'utf8')).map((d) => d.toJS() as KubernetesObject | null).filter((d): d is KubernetesObject => d?.kind === 'CustomResourceDefinition');
  return installCrdObjects(kc, docs);
}

/** Installs every CRD of the YAML files in a directory (other objects in them are skipped). */
export async function installCrdDirectory(kc: KubeConfig, dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const docs = (await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8'))))
    .flatMap((text) => parseAllDocuments(text).map((d) => d.toJS() as KubernetesObject | null))
    .filter((d): d is KubernetesObject => d?.kind === 'CustomResourceDefinition');
  return installCrdObjects(kc, docs);
}

/** Applies CRD objects and waits until each is Established. */
export async function installCrdObjects(kc: KubeConfig, docs: KubernetesObject[]): Promise<string[]> {
  await apply(kc, docs);
  const api = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of docs) {
    const name = crd.metadata?.name ?? '';
    await waitFor(`CRD ${name} Established`, async () => {
      const got = await api.readCustomResourceDefinition({ name });
      return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    }, { timeoutMs: 60_000, intervalMs: 100 });
  }
  return docs.map((d) => d.metadata?.name ?? '');
}
