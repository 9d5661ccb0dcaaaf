/**
 * A real Prometheus for tests: Debian's server and promtool (scripts/install-prometheus.sh, into
 * .tools/prometheus), history backfilled with `promtool tsdb create-blocks-from openmetrics`,
 * served on 127.0.0.1 from a temporary data directory. Ready when Prometheus logs that it is.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';

const run = promisify(execFile);

let binDir: Promise<string> | undefined;

/** The folder holding `prometheus` and `promtool` (installed on first use). */
export function prometheusBin(): Promise<string> {
  binDir ??= run('bash', [path.join(repoRoot, 'scripts', 'install-prometheus.sh')], { timeout: 10 * 60_000 })
    .then(({ stdout }) => stdout.trim().split('\n').at(-1) ?? '');
  return binDir;
}

/** Runs promtool; resolves with its output, rejects with it on a non-zero exit. */
export async function promtool(args: string[]): Promise<string> {
  const { stdout, stderr } = await run(path.join(await prometheusBin(), 'promtool'), args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  return stdout + stderr;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** A running test Prometheus. */
export interface TestPrometheus {
  readonly url: string;
  /** Stops the server (idempotent) and keeps the data directory. */
  stop(): Promise<void>;
  /** Stops the server and removes its data directory. */
  dispose(): Promise<void>;
}

function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes('Server is ready to receive web requests')) {
        child.stderr?.off('data', onData);
        child.stderr?.resume();
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`prometheus exited with ${code} before it was ready:\n${log.slice(-2000)}`)));
  });
}

/**
 * Backfills `openMetrics` (OpenMetrics text with timestamps, ending in `# EOF`) into a fresh data
 * directory and starts Prometheus on it, on a free loopback port, scraping nothing.
 */
export async function startPrometheus(openMetrics: string): Promise<TestPrometheus> {
  const bin = await prometheusBin();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-prometheus-'));
  const input = path.join(dir, 'history.om');
  const data = path.join(dir, 'data');
  const config = path.join(dir, 'prometheus.yml');
  await writeFile(input, openMetrics);
  await writeFile(config, 'global: {}\n');
  await promtool(['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', input, data]);
  const port = await freePort();
  const child = spawn(path.join(bin, 'prometheus'), [
    `--config.file=${config}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=100y', '--log.level=info',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitReady(child);
  let exited: Promise<unknown> | undefined;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    exited ??= once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    stop,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
