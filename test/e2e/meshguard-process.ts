import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cliPath } from '../support/paths.js';
import type { ClusterPki } from './pki.js';
import { alive, freePort, startProcess, waitFor, type Proc } from './processes.js';

/** A `meshguard serve` process. */
export interface MeshguardProcess {
  port: number;
  probePort: number;
  /** https://127.0.0.1:<port>, what the webhook configurations point at. */
  url: string;
  proc: Proc;
  /** GET /readyz: status and parsed body. */
  readyz(): Promise<{ status: number; body: { ready: boolean; checks: Record<string, { ok: boolean; detail: string }> } }>;
  /** GET /metrics as text. */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/** Where meshguard's serving certificate lives: tls.crt, tls.key and ca.crt (as a kubernetes.io/tls Secret). */
export async function writeMeshguardTls(dir: string, pki: ClusterPki): Promise<{ certFile: string; keyFile: string; caFile: string }> {
  await mkdir(dir, { recursive: true });
  const files = { certFile: path.join(dir, 'tls.crt'), keyFile: path.join(dir, 'tls.key'), caFile: path.join(dir, 'ca.crt') };
  await Promise.all([writeFile(files.certFile, pki.meshguard.cert), writeFile(files.keyFile, pki.meshguard.key, { mode: 0o600 }), writeFile(files.caFile, pki.ca.cert)]);
  return files;
}

/**
 * Starts the built CLI (`node dist/src/cli/index.js serve`) on free loopback ports with the given
 * kubeconfig and the cluster view on, and waits (bounded) until /readyz answers 200.
 */
export async function startMeshguard(opts: { tmp: string; tlsDir: string; kubeconfig: string; extraFlags?: string[]; readyTimeoutMs?: number; waitReady?: boolean }): Promise<MeshguardProcess> {
  const [port, probePort] = [await freePort(), await freePort()];
  const flags = [
    'serve', '--host', '127.0.0.1', '--port', String(port), '--probe-port', String(probePort),
    '--tls-cert-file', path.join(opts.tlsDir, 'tls.crt'), '--tls-key-file', path.join(opts.tlsDir, 'tls.key'),
    '--kubeconfig', opts.kubeconfig, '--kube', 'on', '--log-level', 'warn', '--shutdown-grace-ms', '0', '--data-debounce-ms', '50',
    ...(opts.extraFlags ?? []),
  ];
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('MESHGUARD_') || k === 'KUBECONFIG') delete env[k];
  const proc = startProcess('meshguard', process.execPath, [cliPath, ...flags], { logFile: path.join(opts.tmp, `meshguard-${port}.log`), env });
  const probe = `http://127.0.0.1:${probePort}`;
  const mg: MeshguardProcess = {
    port, probePort, url: `https://127.0.0.1:${port}`, proc,
    async readyz() {
      const res = await fetch(`${probe}/readyz`, { signal: AbortSignal.timeout(3000) });
      return { status: res.status, body: (await res.json()) as Awaited<ReturnType<MeshguardProcess['readyz']>>['body'] };
    },
    async metrics() {
      const res = await fetch(`${probe}/metrics`, { signal: AbortSignal.timeout(3000) });
      return res.text();
    },
    stop: () => proc.stop(),
  };
  if (opts.waitReady === false) return mg;
  try {
    await waitFor('meshguard /readyz', async () => ((await mg.readyz()).status === 200 ? true : undefined), {
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      abortIf: () => (alive(proc) ? undefined : `meshguard exited:\n${proc.tail()}`),
    });
  } catch (err) {
    const last = await mg.readyz().then((r) => JSON.stringify(r.body), () => 'no answer');
    await proc.stop();
    throw new Error(`${err instanceof Error ? err.message : String(err)}\nlast /readyz: ${last}\n${proc.tail()}`);
  }
  return mg;
}

/** Reads one sample of a Prometheus metric from /metrics text (labels as written), or undefined. */
export function metricValue(text: string, name: string, labels = ''): number | undefined {
  const prefix = labels ? `${name}{${labels}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line ? Number(line.slice(prefix.length)) : undefined;
}
