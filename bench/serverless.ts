/**
 * Serverless rows of `npm run bench`: spawn to the first answered AdmissionReview over plain HTTP
 * (what a platform's ingress forwards after ending TLS) for the floor, meshguard's serverless mode
 * with the built-in pack and no snapshot, and with a 10,000-object snapshot (the first answer then
 * includes reading it: requests wait for it); the in-process cost of reading that snapshot; and
 * steady-state req/s of a serverless instance judging with the snapshot.
 *
 * Standalone: node dist/bench/serverless.js [--quick]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Inventory } from '../src/inventory/inventory.js';
import type { KubeObject } from '../src/inventory/objects.js';
import { decodeSnapshot, encodeSnapshot, loadSnapshot } from '../src/snapshot/format.js';
import { repoRoot } from './payloads.js';
import { freePort } from './proc.js';
import { meshguardEntry } from './servers.js';

/** One cold-start row: median, min and max over `runs` spawns. */
export interface ServerlessColdStart {
  server: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
}

/** What the serverless bench measured. */
export interface ServerlessBench {
  snapshot: { objects: number; compressedBytes: number; readMs: number; loadMs: number };
  coldStart: ServerlessColdStart[];
  steady: { server: string; connections: number; durationS: number; rps: number; p50: number; p99: number; errors: number };
}

const NAMESPACES = 100;

/** A mesh of 10,000 objects: per namespace a Namespace, 33 Services, 33 DestinationRules, 33 VirtualServices. */
export function syntheticMesh(): KubeObject[] {
  const out: KubeObject[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const namespace = `team-${n}`;
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'istio-injection': 'enabled' } } });
    for (let i = 0; i < 33; i++) {
      const name = `svc-${i}`;
      out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080 }] } });
      out.push({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace }, spec: { host: name, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] } });
      out.push({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace }, spec: { hosts: [name], http: [{ route: [{ destination: { host: name, subset: 'v1' }, weight: 90 }, { destination: { host: name, subset: 'v2' }, weight: 10 }] }] } });
    }
  }
  return out;
}

/** The AdmissionReview the runs send: a VirtualService to `subset` of team-0/svc-0. */
function review(subset: string): string {
  const object = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'canary', namespace: 'team-0' }, spec: { hosts: ['svc-0'], http: [{ route: [{ destination: { host: 'svc-0', subset } }] }] } };
  return JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'bench', kind: { group: 'networking.istio.io', version: 'v1', kind: 'VirtualService' }, namespace: 'team-0', name: 'canary', operation: 'CREATE', userInfo: { username: 'bench' }, object, dryRun: false } });
}

function post(port: number, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/validate', method: 'POST', agent: false, headers: { 'content-type': 'application/json' }, timeout: 30_000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Started { child: ChildProcess; port: number; ms: number; answer: string }

/** Spawns a server on $PORT and polls /validate every 2 ms until it answers 200; `check` must accept the answer. */
async function start(args: string[], body: string, check: (answer: string) => boolean): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: 'ignore', env: { ...process.env, PORT: String(port) } });
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${args.join(' ')} exited before answering`);
    const answer = await post(port, body).catch(() => undefined);
    if (answer?.status === 200) {
      const ms = performance.now() - t0;
      if (!check(answer.text)) throw new Error(`unexpected first answer: ${answer.text.slice(0, 300)}`);
      return { child, port, ms, answer: answer.text };
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

async function coldRuns(server: string, runs: number, args: string[], body: string, check: (answer: string) => boolean): Promise<ServerlessColdStart> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = await start(args, body, check);
    times.push(s.ms);
    await stop(s.child);
  }
  return { server, runs, medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) };
}

/** Runs every serverless measurement; `runs` spawns per cold-start row, `durationS` of load. */
export async function serverlessBench(opts: { workDir: string; runs: number; durationS: number; log: (line: string) => void }): Promise<ServerlessBench> {
  const dir = path.join(opts.workDir, 'serverless');
  await mkdir(dir, { recursive: true });
  const inventory = new Inventory();
  for (const o of syntheticMesh()) inventory.upsert(o);
  const { bytes, header } = await encodeSnapshot(inventory);
  const file = path.join(dir, 'snapshot.gz');
  await writeFile(file, bytes);
  const t0 = performance.now();
  const decoded = await decodeSnapshot(bytes, 'bench');
  const t1 = performance.now();
  loadSnapshot(new Inventory(), decoded);
  const snapshot = { objects: header.objects, compressedBytes: bytes.length, readMs: t1 - t0, loadMs: performance.now() - t1 };
  opts.log(`serverless: snapshot of ${snapshot.objects} objects, ${bytes.length} bytes; read ${snapshot.readMs.toFixed(1)} ms, load ${snapshot.loadMs.toFixed(1)} ms`);

  // The start-up bundle, as the image and `bin` run it.
  const cli = meshguardEntry();
  const serve = (extra: string[]): string[] => [cli, 'serve', '--mode', 'serverless', '--host', '127.0.0.1', '--log-level', 'warn', '--shutdown-grace-ms', '0', ...extra];
  const floor = [path.join(repoRoot, 'dist', 'bench', 'floor-server.js'), '--plain'];
  const denied = review('v3');
  const answered = (text: string): boolean => text.includes('"uid":"bench"');
  const judged = (text: string): boolean => /\[vs-subset-exists[ \]]/.test(text) && text.includes('"snapshot-digest"');
  const coldStart: ServerlessColdStart[] = [];
  for (const [name, args, check] of [
    ['floor (plain HTTP)', floor, answered],
    ['meshguard serverless (built-in pack, no snapshot)', serve([]), answered],
    [`meshguard serverless (snapshot of ${header.objects} objects)`, serve(['--snapshot', file]), judged],
  ] as const) {
    opts.log(`serverless cold start: ${name} x${opts.runs}`);
    coldStart.push(await coldRuns(name, opts.runs, [...args], denied, check));
  }

  opts.log(`serverless steady state: ${opts.durationS} s at 10 connections`);
  const s = await start(serve(['--snapshot', file]), denied, judged);
  try {
    const result = await autocannon({
      url: `http://127.0.0.1:${s.port}`, connections: 10, duration: opts.durationS, pipelining: 1, timeout: 10,
      requests: [{ method: 'POST', path: '/validate', headers: { 'content-type': 'application/json' }, body: review('v1') }],
    });
    const steady = {
      server: `meshguard serverless (snapshot of ${header.objects} objects)`, connections: 10, durationS: opts.durationS,
      rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx,
    };
    return { snapshot, coldStart, steady };
  } finally {
    await stop(s.child);
  }
}

/** The serverless table, as printed after the main report. */
export function formatServerless(r: ServerlessBench): string {
  const floor = r.coldStart[0]?.medianMs ?? NaN;
  const lines = [
    'Serverless: spawn to first answered AdmissionReview over plain HTTP (median, min-max)',
    ...r.coldStart.map((c) => `  ${c.server.padEnd(56)} ${c.medianMs.toFixed(0).padStart(5)} ms (${c.minMs.toFixed(0)}-${c.maxMs.toFixed(0)})  ${(c.medianMs / floor).toFixed(2)}x floor`),
    `  snapshot: ${r.snapshot.objects} objects, ${(r.snapshot.compressedBytes / 1024).toFixed(0)} KiB gzip; in-process read+verify ${r.snapshot.readMs.toFixed(1)} ms, load into the Inventory ${r.snapshot.loadMs.toFixed(1)} ms`,
    `  steady state, ${r.steady.server}, ${r.steady.connections} connections, ${r.steady.durationS} s: ${r.steady.rps.toFixed(0)} req/s, p50 ${r.steady.p50} ms, p99 ${r.steady.p99} ms, ${r.steady.errors} errors`,
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const workDir = path.join(repoRoot, '.bench', `serverless-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const result = await serverlessBench({ workDir, runs: values.quick ? 2 : 5, durationS: values.quick ? 3 : 10, log });
  await writeFile(path.join(workDir, 'serverless.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatServerless(result));
}
