/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and says where the time went: self time by
 * area (TLS, HTTP, Fastify, pino, policy Wasm, meshguard's own modules, GC ...), inclusive time of
 * the parts worth knowing (logging, metrics, evaluation, mutation), and the hottest functions.
 *
 *   node dist/bench/profile-summary.js <file.cpuprofile> [--top 20] [--from-first-request]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One line of a summary: a name, milliseconds and the share of busy (non-idle) time. */
export interface Share {
  name: string;
  ms: number;
  pct: number;
}

/** What a profile says. */
export interface ProfileSummary {
  file: string;
  busyMs: number;
  idleMs: number;
  byArea: Share[];
  inclusive: Share[];
  topFunctions: Share[];
}

const FASTIFY = /\/node_modules\/(fastify|@fastify\/[^/]+|find-my-way|avvio|fast-json-stringify|secure-json-parse|light-my-request|fast-querystring|process-warning|toad-cache|rfdc|abstract-logging)\//;
const PINO = /\/node_modules\/(pino|pino-std-serializers|sonic-boom|fast-redact|quick-format-unescaped|on-exit-leak-free|atomic-sleep|safe-stable-stringify)\//;

/** The area a frame's self time belongs to. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'V8 (program)';
  if (url.startsWith('wasm://') || /^(\$|wasm-function)/.test(functionName)) return 'policy Wasm';
  if (FASTIFY.test(url)) return 'fastify';
  if (PINO.test(url)) return 'pino';
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1] as string;
  const own = /\/dist\/(src|bench)\/(?:([^/]+)\/)?[^/]+\.js$/.exec(url);
  if (own) return `meshguard ${own[2] ?? own[1]}`;
  if (/^node:(_tls|internal\/tls|tls|internal\/crypto)/.test(url)) return 'node TLS';
  if (/^node:(_http|internal\/http|http)/.test(url)) return 'node HTTP';
  if (/^node:(net|internal\/stream|stream|internal\/streams|events)/.test(url)) return 'node net/streams';
  if (/^node:(fs|internal\/fs)/.test(url)) return 'node fs';
  if (url.startsWith('node:')) return 'node other';
  if (url === '') return 'native';
  return 'other';
}

/** Inclusive groups: a sample counts once when any frame of its stack matches. */
const INCLUSIVE: Array<{ name: string; match: (f: CallFrame) => boolean }> = [
  { name: 'POST handler (route to answer)', match: (f) => /dist\/src\/routes\/admission\.js$/.test(f.url) },
  { name: 'validateAdmission', match: (f) => f.functionName === 'validateAdmission' },
  { name: 'OpaWasmEngine.evaluate', match: (f) => f.functionName === 'evaluate' && f.url.endsWith('/policy/engine.js') },
  { name: 'judge + decide', match: (f) => /^(judge|decide)$/.test(f.functionName) && f.url.endsWith('/policy/decision.js') },
  { name: 'mutateAdmission', match: (f) => f.functionName === 'mutateAdmission' },
  { name: 'mutation runner', match: (f) => f.url.includes('/dist/src/mutation/') },
  { name: 'fast-json-patch', match: (f) => f.url.includes('/node_modules/fast-json-patch/') },
  { name: 'pino (logging)', match: (f) => PINO.test(f.url) },
  { name: 'prom-client (metrics)', match: (f) => f.url.includes('/node_modules/prom-client/') },
  { name: 'reply (serialise + write to the socket)', match: (f) => /\/fastify\/lib\/(reply|wrapThenable)\.js$/.test(f.url) || /fast-json-stringify/.test(f.url) },
  { name: 'TLS (node)', match: (f) => /^node:(_tls|internal\/tls|tls)/.test(f.url) },
  { name: 'module loading (import)', match: (f) => /^node:internal\/modules\//.test(f.url) },
];

function shares(map: Map<string, number>, busyUs: number, limit?: number): Share[] {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([name, us]) => ({ name, ms: us / 1000, pct: (us / busyUs) * 100 }));
}

/**
 * Summarises one `.cpuprofile` file. With `fromFirstRequest`, samples before the first one inside
 * an admission route are left out, so start-up does not blur a profile taken under load.
 */
export function summarizeProfile(file: string, top = 15, fromFirstRequest = false): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const area = new Map<string, number>();
  const fn = new Map<string, number>();
  const incl = new Map<string, number>();
  const stackOf = (id: number): CallFrame[] => {
    const frames: CallFrame[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (frame) frames.push(frame);
    }
    return frames;
  };
  const first = fromFirstRequest ? profile.samples.findIndex((id) => stackOf(id).some((f) => f.url.endsWith('/routes/admission.js'))) : 0;
  let busy = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node || i < first) return;
    const a = areaOf(node.callFrame);
    if (a === 'idle') {
      idle += us;
      return;
    }
    busy += us;
    area.set(a, (area.get(a) ?? 0) + us);
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + us);
    const seen = new Set<string>();
    for (const frame of stackOf(id)) for (const g of INCLUSIVE) if (!seen.has(g.name) && g.match(frame)) seen.add(g.name);
    for (const name of seen) incl.set(name, (incl.get(name) ?? 0) + us);
  });
  return { file, busyMs: busy / 1000, idleMs: idle / 1000, byArea: shares(area, busy), inclusive: shares(incl, busy), topFunctions: shares(fn, busy, top) };
}

/** Plain-text rendering of a summary. */
export function formatProfile(s: ProfileSummary, areas = 12): string {
  const line = (x: Share): string => `  ${x.pct.toFixed(1).padStart(5)}%  ${x.ms.toFixed(0).padStart(7)} ms  ${x.name}`;
  return [
    `${path.basename(s.file)}: busy ${s.busyMs.toFixed(0)} ms, idle ${s.idleMs.toFixed(0)} ms`,
    ' self time by area:', ...s.byArea.slice(0, areas).map(line),
    ' inclusive:', ...s.inclusive.map(line),
    ' hottest functions (self):', ...s.topFunctions.map(line),
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const { values, positionals } = parseArgs({
    allowPositionals: true, options: { top: { type: 'string', default: '20' }, 'from-first-request': { type: 'boolean', default: false } },
  });
  if (positionals.length === 0) {
    console.error('usage: profile-summary <file.cpuprofile>... [--top 20] [--from-first-request]');
    process.exit(2);
  }
  for (const file of positionals) console.log(`${formatProfile(summarizeProfile(file, Number(values.top), values['from-first-request']))}\n`);
}
