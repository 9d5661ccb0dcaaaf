/**
 * The servers under test, each started as its own process on 127.0.0.1: meshguard (`serve`), the
 * floor (a bare Fastify HTTPS server) and OPA's own server. A server counts as started when it
 * answers a real AdmissionReview over HTTPS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { firstAnswer } from './https-client.js';
import { repoRoot } from './payloads.js';
import { freePort, type Pinning } from './proc.js';

/** How to start one server, given the ports picked for it. */
export interface ServerSpec {
  /** Label in tables, e.g. `meshguard (warn)`. */
  name: string;
  kind: 'meshguard' | 'floor' | 'opa';
  command: string;
  args(port: number, probePort: number): string[];
  /**
   * Where the process's stdout goes: a file, nowhere, or (`'pipe'`) a pipe this process drains
   * and counts, as a container runtime takes a container's logs.
   */
  stdoutFile?: string | 'pipe';
  /** Where stderr goes (kept for diagnosis when a start fails). */
  stderrFile: string;
  /** The request path and body used to decide that the server answers. */
  readyPath: string;
  readyBody: string;
}

/** A started server. */
export interface RunningServer {
  spec: ServerSpec;
  pid: number;
  port: number;
  baseUrl: string;
  /** ms from spawn to the first 200 answer to an AdmissionReview. */
  startMs: number;
  alive(): boolean;
  /** How the process ended (`signal SIGTERM`, `code 1`), or undefined while it runs. */
  exitReason(): string | undefined;
  /** Bytes and lines read from its stdout (when `stdoutFile` is `'pipe'`). */
  output: { bytes: number; lines: number };
  /** SIGTERM, wait for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<RunningServer>();

/** Stops every server this process started and has not stopped yet (on Ctrl-C or a failure). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((s) => s.stop(2000)));
}

function openOut(file: string | undefined): number | 'ignore' {
  return file ? openSync(file, 'a') : 'ignore';
}

/** Spawns a server (pinned when planned), polls it with an AdmissionReview until it answers 200. */
export async function startServer(spec: ServerSpec, pinning: Pinning, opts: { deadlineMs?: number; intervalMs?: number } = {}): Promise<RunningServer> {
  const [port, probePort] = [await freePort(), await freePort()];
  const [command, ...prefix] = pinning.enabled ? [...pinning.serverPrefix, spec.command] : [spec.command];
  const out = spec.stdoutFile === 'pipe' ? 'pipe' : openOut(spec.stdoutFile);
  const err = openOut(spec.stderrFile);
  const t0 = performance.now();
  const child: ChildProcess = spawn(command as string, [...prefix, ...spec.args(port, probePort)], { cwd: repoRoot, stdio: ['ignore', out, err] });
  for (const fd of [out, err]) if (typeof fd === 'number') closeSync(fd);
  const output = { bytes: 0, lines: 0 };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) output.lines++;
  });
  let exited = false;
  let reason: string | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code, signal) => {
    exited = true;
    reason = signal ? `signal ${signal}` : `code ${code}`;
    resolve();
  }));
  const baseUrl = `https://127.0.0.1:${port}`;
  const stop = async (graceMs = 10_000): Promise<void> => {
    live.delete(running);
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exit;
    clearTimeout(timer);
  };
  const running: RunningServer = { spec, pid: child.pid ?? 0, port, baseUrl, startMs: NaN, alive: () => !exited, exitReason: () => reason, output, stop };
  live.add(running);
  try {
    const answered = await firstAnswer(baseUrl + spec.readyPath, spec.readyBody, {
      deadlineMs: opts.deadlineMs ?? 60_000, intervalMs: opts.intervalMs ?? 2, alive: () => !exited,
    });
    if (child.pid === undefined) throw new Error('no pid');
    running.pid = child.pid;
    running.startMs = answered - t0;
    return running;
  } catch (e) {
    await stop(1000);
    throw new Error(`${spec.name} did not start: ${(e as Error).message} (stderr in ${spec.stderrFile})`);
  }
}

/** Options shared by the meshguard specs. */
export interface MeshguardSpecOptions {
  logLevel: 'warn' | 'info';
  /** Serve these PEM files instead of generating a self-signed certificate at start. */
  certFiles?: { cert: string; key: string };
  /** Extra node flags (e.g. `--cpu-prof`). */
  nodeFlags?: string[];
  workDir: string;
  readyBody: string;
  label?: string;
  /** Extra `serve` flags (e.g. `--evaluation-workers 0`). */
  extraArgs?: string[];
  /** Run the compiled modules (`dist/src/cli/index.js`) instead of the start-up bundle the image runs. */
  modules?: boolean;
}

/** What `meshguard` runs: the start-up bundle (as the image and `bin` do), or the compiled modules. */
export function meshguardEntry(modules = false): string {
  return modules ? path.join(repoRoot, 'dist', 'src', 'cli', 'index.js') : path.join(repoRoot, 'dist', 'bundle', 'meshguard.js');
}

/** `node dist/bundle/meshguard.js serve --kube off` on 127.0.0.1 with the built-in pack. */
export function meshguardSpec(o: MeshguardSpecOptions): ServerSpec {
  const name = o.label ?? `meshguard (${o.logLevel})`;
  const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '');
  return {
    name, kind: 'meshguard', command: process.execPath,
    args: (port, probePort) => [
      ...(o.nodeFlags ?? []), meshguardEntry(o.modules), 'serve',
      '--host', '127.0.0.1', '--port', String(port), '--probe-port', String(probePort), '--kube', 'off',
      '--log-level', o.logLevel, '--shutdown-grace-ms', '0',
      ...(o.certFiles ? ['--tls-cert-file', o.certFiles.cert, '--tls-key-file', o.certFiles.key] : []),
      ...(o.extraArgs ?? []),
    ],
    // Logs go to a pipe this process drains, as a container runtime takes them off stdout.
    stdoutFile: 'pipe',
    stderrFile: path.join(o.workDir, `${slug}.stderr`),
    readyPath: '/validate', readyBody: o.readyBody,
  };
}

/** The floor: dist/bench/floor-server.js with certificate files. */
export function floorSpec(o: { certFiles: { cert: string; key: string }; workDir: string; readyBody: string }): ServerSpec {
  return {
    name: 'floor', kind: 'floor', command: process.execPath,
    args: (port) => [path.join(repoRoot, 'dist', 'bench', 'floor-server.js'), '--port', String(port), '--cert', o.certFiles.cert, '--key', o.certFiles.key],
    stderrFile: path.join(o.workDir, 'floor.stderr'),
    readyPath: '/validate', readyBody: o.readyBody,
  };
}
