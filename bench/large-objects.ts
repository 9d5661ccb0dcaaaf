/**
 * The time to evaluate very large objects (a VirtualService with thousands of HTTP routes): once
 * in process with OpaWasmEngine (in a child process pinned to the servers' core), and once through
 * a running meshguard (`serve`, worker pool) over HTTPS. The server runs with a body limit and an evaluation deadline raised for the measurement,
 * so it reports what the evaluation costs rather than where the defaults cut it off.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadOrgConfig } from '../src/org-config.js';
import { readBundle } from '../src/policy/bundle.js';
import { OpaWasmEngine } from '../src/policy/engine.js';
import { BUILTIN_BUNDLE } from '../src/policy/service.js';
import { postJson } from './https-client.js';
import { admissionReview } from './payloads.js';
import type { Pinning } from './proc.js';
import { virtualServiceWithRoutes } from './scale-inputs.js';
import { meshguardSpec, startServer } from './servers.js';

/** One large object's timings. */
export interface LargeObjectTiming {
  routes: number;
  bytes: number;
  /** Wall ms of one OpaWasmEngine.evaluate (the engine warmed up first). */
  inProcessMs: number;
  /** Wall ms from POST to answer through the server (new connection, TLS included). */
  serverMs: number;
  /** What the server answered: allowed, denied (rule ids) or the failure code. */
  serverAnswer: string;
}

/** Settings of the measuring server: room for the largest body and the slowest evaluation. */
export const LARGE_OBJECT_SERVER_ARGS = ['--body-limit', String(8 * 1024 * 1024), '--evaluation-timeout-ms', '30000'];

function rawOf(body: string): ArrayBuffer {
  const buf = Buffer.from(body);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

function describeAnswer(body: unknown): string {
  const response = (body as { response?: { allowed?: boolean; status?: { message?: string } } } | undefined)?.response;
  if (!response) return `no AdmissionReview (${JSON.stringify(body).slice(0, 80)})`;
  if (response.allowed) return 'allowed';
  const message = response.status?.message ?? '';
  const failure = /\((MG_ERR_[A-Z_]+)\)/.exec(message)?.[1];
  return failure ? `failed: ${failure}` : `denied: ${[...message.matchAll(/\[([a-z0-9-]+)\]/g)].map((m) => m[1]).join(', ')}`;
}

/** Wall ms of one OpaWasmEngine evaluation of each route count, after a warm-up on `readyBody`. */
export async function evaluateInProcess(routes: number[], readyBody: string): Promise<number[]> {
  const engine = await OpaWasmEngine.create(await readBundle(BUILTIN_BUNDLE));
  engine.setData({ config: (await loadOrgConfig()).raw, inventory: {} });
  for (let i = 0; i < 20; i++) engine.evaluate(rawOf(readyBody));
  return routes.map((n) => {
    const raw = rawOf(largeBody(n));
    const t0 = performance.now();
    engine.evaluate(raw);
    return performance.now() - t0;
  });
}

function largeBody(routes: number): string {
  return JSON.stringify(admissionReview(virtualServiceWithRoutes(routes), `large-${routes}`));
}

/** In process in a child pinned like the servers (its own core, as the server gets), via {@link main}. */
async function inProcessChild(o: { routes: number[]; pinning: Pinning; readyBody: string }): Promise<number[]> {
  const script = fileURLToPath(import.meta.url);
  const [cmd, ...prefix] = o.pinning.enabled ? [...o.pinning.serverPrefix, process.execPath] : [process.execPath];
  const child = spawn(cmd as string, [...prefix, script, '--routes', o.routes.join(',')], { stdio: ['pipe', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stdin.end(o.readyBody);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`large-objects.js exited with ${code}`);
  return JSON.parse(stdout) as number[];
}

/** Measures each route count in process (a pinned child), then through one meshguard server. */
export async function measureLargeObjects(o: { routes: number[]; workDir: string; pinning: Pinning; readyBody: string; log: (line: string) => void }): Promise<LargeObjectTiming[]> {
  o.log(`large objects: ${o.routes.join(' and ')}-route VirtualServices in process`);
  const inProcess = await inProcessChild(o);
  const spec = meshguardSpec({ logLevel: 'warn', workDir: o.workDir, readyBody: o.readyBody, label: 'meshguard (large objects)', extraArgs: LARGE_OBJECT_SERVER_ARGS });
  const server = await startServer(spec, o.pinning);
  try {
    const out: LargeObjectTiming[] = [];
    for (const [i, routes] of o.routes.entries()) {
      o.log(`large objects: ${routes}-route VirtualService through the server`);
      const body = largeBody(routes);
      const t0 = performance.now();
      const answer = await postJson(`${server.baseUrl}/validate`, body, 120_000);
      out.push({ routes, bytes: Buffer.byteLength(body), inProcessMs: inProcess[i] as number, serverMs: performance.now() - t0, serverAnswer: describeAnswer(answer.body) });
    }
    return out;
  } finally {
    await server.stop();
  }
}

/** `node dist/bench/large-objects.js --routes 5000,8000` (warm-up body on stdin): ms per route count as JSON. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { routes: { type: 'string', default: '5000,8000' } } });
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const routes = (values.routes ?? '').split(',').map(Number);
  process.stdout.write(`${JSON.stringify(await evaluateInProcess(routes, Buffer.concat(chunks).toString('utf8')))}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(`large-objects: ${(err as Error).message ?? String(err)}`);
    process.exit(1);
  });
}
