/**
 * The benchmark's results and how they are shown: ratios against the floor and OPA, the targets
 * (reported, never asserted), and tables as plain text or Markdown.
 */
import type { ColdStart } from './cold-start.js';
import type { LargeObjectTiming } from './large-objects.js';
import type { LoadResult } from './load.js';
import type { ProfileSummary } from './profile-summary.js';
import type { ScaleResult } from './scale.js';
import type { ClusterScaleRow } from './cluster-scale.js';
import type { Parity } from './verify.js';

/** The machine a run happened on. */
export interface Machine {
  nproc: number;
  cpuModel: string;
  memory: string;
  node: string;
  opa: string;
  kernel: string;
  commit: string;
  /** /proc/loadavg when the run started and when it ended: other work on the machine skews results. */
  loadBefore: string;
  loadAfter: string;
}

/** Everything one `npm run bench` produced (the `--json` output). */
export interface BenchResults {
  mode: 'full' | 'quick';
  startedAt: string;
  durationS: number;
  machine: Machine;
  settings: { connections: number[]; durationS: number; firstWarmupS: number; warmupS: number; coldRuns: number; attempts: number; pinning: string };
  payloads: Array<{ name: string; webhook: string; bytes: number }>;
  parity?: Parity;
  load: LoadResult[];
  /** meshguard at info: bytes of log per admission and the lines written. */
  infoLog?: { bytesPerAdmission: number; lines: number };
  coldStart: ColdStart[];
  scale?: ScaleResult;
  profiles?: ProfileSummary[];
  /** Evaluation workers of the pooled meshguard under test (os.availableParallelism() as pinned). */
  poolWorkers?: number;
  largeObjects?: LargeObjectTiming[];
  /** The scale table: evaluation, push and memory against cluster size (cluster-scale.ts). */
  clusterScale?: ClusterScaleRow[];
}

/** A ratio between two measured rows. */
export interface Ratio {
  what: string;
  scenario: string;
  connections: number;
  value: number;
  /** The same ratio of server CPU per request (floor or OPA / meshguard, so higher is better). */
  cpuValue: number;
}

/** A target from the brief and whether this run met it. */
export interface Target {
  target: string;
  measured: string;
  met: boolean;
}

const MG_WARN = 'meshguard (warn)';
/** meshguard evaluating on the event loop (`--evaluation-workers 0`), the design before the pool. */
export const MG_EVENT_LOOP = 'meshguard (warn, event loop)';
const MG_INFO = 'meshguard (info)';
const FLOOR = 'floor';

function row(r: BenchResults, server: string, scenario: string, c: number): LoadResult | undefined {
  return r.load.find((l) => l.server === server && l.scenario === scenario && l.connections === c);
}

function opaLabels(r: BenchResults): string[] {
  return [...new Set(r.load.filter((l) => l.server.startsWith('opa')).map((l) => l.server))];
}

/** meshguard / floor and meshguard / OPA req/s for every scenario and connection count. */
export function ratios(r: BenchResults): Ratio[] {
  const out: Ratio[] = [];
  for (const scenario of ['validate', 'mutate']) {
    for (const c of r.settings.connections) {
      const floor = row(r, FLOOR, scenario, c);
      for (const mg of [MG_WARN, MG_INFO]) {
        const m = row(r, mg, scenario, c);
        if (m && floor) out.push({ what: `${mg} / floor`, scenario, connections: c, value: m.rps / floor.rps, cpuValue: floor.cpuUsPerRequest / m.cpuUsPerRequest });
        for (const opa of opaLabels(r)) {
          const o = row(r, opa, scenario, c);
          if (m && o) out.push({ what: `${mg} / ${opa}`, scenario, connections: c, value: m.rps / o.rps, cpuValue: o.cpuUsPerRequest / m.cpuUsPerRequest });
        }
      }
    }
  }
  return out;
}

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;

/** The brief's targets, checked against this run. */
export function targets(r: BenchResults): Target[] {
  const out: Target[] = [];
  for (const x of ratios(r)) {
    if (x.what.endsWith('/ floor')) {
      const goal = x.scenario === 'validate' ? 0.7 : 0.8;
      out.push({ target: `${x.what.split(' /')[0]} /${x.scenario} ≥ ${pct(goal)} of the floor (c=${x.connections})`, measured: pct(x.value), met: x.value >= goal });
    } else if (x.scenario === 'validate' && x.what.startsWith(MG_WARN)) {
      out.push({ target: `${x.what.replace(' / ', ' ahead of ')} (c=${x.connections})`, measured: `${x.value.toFixed(2)}×`, met: x.value > 1 });
    }
  }
  for (const l of r.load.filter((x) => x.server.startsWith('meshguard') && x.connections === 10)) {
    out.push({ target: `${l.server} /${l.scenario} p99 < 3 ms (c=10)`, measured: `${l.p99.toFixed(2)} ms`, met: l.p99 < 3 });
  }
  const floor = r.coldStart.find((c) => c.server === FLOOR);
  for (const c of r.coldStart.filter((x) => x.server.startsWith('meshguard'))) {
    out.push({ target: `${c.server} idle RSS < 80 MB (76.3 MiB)`, measured: `${c.idleRssMiB.toFixed(1)} MiB`, met: c.idleRssMiB < 80e6 / 1048576 });
    if (floor) out.push({ target: `${c.server} cold start ≤ 1.5× the floor's`, measured: `${(c.medianMs / floor.medianMs).toFixed(2)}× (${c.medianMs.toFixed(0)} vs ${floor.medianMs.toFixed(0)} ms)`, met: c.medianMs <= 1.5 * floor.medianMs });
  }
  return out;
}

type Cell = string | number;

function fmt(x: Cell, digits = 1): string {
  if (typeof x === 'string') return x;
  if (!Number.isFinite(x)) return 'n/a';
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(digits);
}

/** A table as aligned plain text or as Markdown. */
export function table(headers: string[], rows: Cell[][], markdown: boolean): string {
  const cells = rows.map((r) => r.map((c) => fmt(c)));
  if (markdown) {
    const line = (r: string[]): string => `| ${r.join(' | ')} |`;
    return [line(headers), line(headers.map(() => '---')), ...cells.map(line)].join('\n');
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** Every section of the report. */
export function formatReport(r: BenchResults, markdown: boolean): string {
  const h = (title: string): string => (markdown ? `### ${title}` : `== ${title} ==`);
  const parts: string[] = [];
  parts.push(h('Load (autocannon, keep-alive HTTPS)'), table(
    ['server', 'webhook', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'errors', 'server CPU %', 'CPU µs/req', 'client CPU %', 'other CPU %', 'RSS MiB', 'peak RSS MiB'],
    r.load.map((l) => [l.server, l.scenario, l.connections, l.rps, l.p50.toFixed(2), l.p99.toFixed(2), l.p999.toFixed(2), l.max.toFixed(1), l.errors, l.serverCpuPct, l.cpuUsPerRequest, l.clientCpuPct, l.otherCpuPct, l.rssMiB, l.peakRssMiB]),
    markdown,
  ));
  parts.push(h('Ratios: req/s, and server CPU per request (the other server\'s µs/req over meshguard\'s)'), table(
    ['ratio', 'webhook', 'conns', 'req/s', 'CPU per request'],
    ratios(r).map((x) => [x.what, x.scenario, x.connections, pct(x.value), pct(x.cpuValue)]), markdown,
  ));
  if (r.coldStart.length > 0) {
    parts.push(h(`Cold start (spawn to first answered AdmissionReview, median of ${r.settings.coldRuns})`), table(
      ['server', 'median ms', 'min ms', 'max ms', 'idle RSS MiB'],
      r.coldStart.map((c) => [c.server, c.medianMs, c.minMs, c.maxMs, c.idleRssMiB]), markdown,
    ));
  }
  parts.push(...formatPool(r, markdown, h));
  if (r.largeObjects?.length) {
    parts.push(h('Large VirtualServices (one evaluation, wall ms; the server with a raised body limit and deadline)'), table(
      ['routes', 'bytes', 'in process ms', 'through the server ms', 'server answer'],
      r.largeObjects.map((x) => [x.routes, x.bytes, x.inProcessMs, x.serverMs, x.serverAnswer]), markdown,
    ));
  }
  if (r.scale) parts.push(...formatScale(r.scale, markdown, h));
  parts.push(h('Targets (measured, never asserted)'), table(['target', 'measured', 'met'], targets(r).map((t) => [t.target, t.measured, t.met ? 'yes' : 'NO']), markdown));
  if (r.parity) {
    const p = r.parity;
    parts.push(`meshguard and OPA agree on ${p.agree}/${p.samples} single-object rule samples (${p.deniedByBoth} denied by both)${p.disagreements.length ? `; disagreements:\n  ${p.disagreements.join('\n  ')}` : ''}`);
  }
  if (r.infoLog) parts.push(`meshguard (info) wrote ${r.infoLog.lines} log lines, ${r.infoLog.bytesPerAdmission.toFixed(0)} bytes per admission`);
  return parts.join('\n\n');
}

function formatScale(s: ScaleResult, markdown: boolean, h: (t: string) => string): string[] {
  const payloadNames = [...new Set(s.inventory.flatMap((x) => Object.keys(x.evalUs)))];
  return [
    h('Policy evaluation per payload (in-process CPU µs, raw bytes, full pack)'),
    table(['payload', 'bytes', 'µs / eval', 'violations'], s.payloads.map((p) => [p.payload, p.bytes, p.evalUs, p.violations]), markdown),
    h('Evaluation time vs number of rules (mean of the /validate mix)'),
    table(['rules', 'µs / eval'], s.rules.map((x) => [x.rules, x.evalUs]), markdown),
    h('Evaluation time vs object size (VirtualService with N routes)'),
    table(['routes', 'bytes', 'raw ArrayBuffer µs', 'object µs', 'object / raw'], s.objectSize.map((x) => [x.routes, x.bytes, x.rawUs, x.objectUs, `${(x.objectUs / x.rawUs).toFixed(2)}×`]), markdown),
    h('Where the CPU time of one admission goes (in-process, no network or TLS, CPU µs per call)'),
    table(['step', '/validate µs', '/mutate µs'], s.pipeline.map((x) => [x.step, x.validateUs, x.mutateUs]), markdown),
    h(`Inventory size (push = toJSON + setData, CPU ms; Wasm memory cap ${s.memoryCapMiB} MiB)`),
    table(['objects', 'JSON MiB', 'push ms', 'Wasm MiB', 'RSS delta MiB', 'error'], s.inventory.map((x) => [x.objects, x.jsonMiB.toFixed(2), x.pushMs, x.wasmMiB, x.rssDeltaMiB, x.error ?? '']), markdown),
    h('Evaluation time (µs) vs inventory size, per /validate payload'),
    table(['objects', ...payloadNames], s.inventory.map((x) => [x.objects, ...payloadNames.map((n) => x.evalUs[n] ?? NaN)]), markdown),
  ];
}

/**
 * The worker pool beside the floor and the previous design (evaluation on the event loop), /validate
 * at 10 connections from one run. req/s per core divides by the server's CPU use, so a server that
 * spreads over more cores is not credited for cores alone.
 */
function formatPool(r: BenchResults, markdown: boolean, h: (t: string) => string): string[] {
  const rows = [
    [FLOOR, FLOOR],
    [`meshguard, worker pool (${r.poolWorkers ?? '?'} workers)`, MG_WARN],
    ['meshguard, event loop (evaluationWorkers 0)', MG_EVENT_LOOP],
  ].flatMap(([label, server]) => {
    const l = row(r, server as string, 'validate', 10);
    return l ? [[label as string, l.rps, l.p99.toFixed(2), l.serverCpuPct, l.serverCpuPct > 0 ? l.rps / (l.serverCpuPct / 100) : NaN, l.errors]] : [];
  });
  if (rows.length < 2) return [];
  return [h('Worker pool vs the previous design (/validate, c=10)'), table(['server', 'req/s', 'p99 ms', 'server CPU %', 'req/s per core', 'errors'], rows, markdown)];
}
