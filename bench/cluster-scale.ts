/**
 * The scale table: evaluation cost against cluster size. For 0, 1,000, 10,000 and 50,000 cached
 * objects of a consistent generated mesh (bench/mesh.ts: Services, workloads and Istio objects in
 * realistic proportions), each size in its own child process so memory figures are its own:
 * per-kind evaluation time (CPU µs, raw bytes, an UPDATE of an object of namespace `shop`, a Pod
 * CREATE), the whole push, the push after one changed object and after an org config change (CPU
 * ms), the JSON and Wasm sizes,
 * RSS over the idle engine, and ready-after-restart (bundle load, the informers' lists into the
 * inventory, the push and the first answered evaluation, wall ms).
 *
 *   node dist/bench/cluster-scale.js [--quick] [--markdown]                  (every size, the table)
 *   node --expose-gc dist/bench/cluster-scale.js --objects <n> [--quick]   (one size, JSON on stdout)
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Inventory } from '../src/inventory/inventory.js';
import type { KubeObject } from '../src/inventory/objects.js';
import { loadOrgConfig } from '../src/org-config.js';
import { readBundle } from '../src/policy/bundle.js';
import { OpaWasmEngine } from '../src/policy/engine.js';
import { inventoryData } from '../src/policy/engine-data.js';
import { BUILTIN_BUNDLE } from '../src/policy/service.js';
import { cpuSince, rawBytes, rssMiB, timeUs } from './measure.js';
import { generatedMesh } from './mesh.js';
import { admissionReview, podFromDeployment, repoRoot } from './payloads.js';
import type { Pinning } from './proc.js';

/** One inventory size. */
export interface ClusterScaleRow {
  objects: number;
  /** CPU µs per evaluation, per admitted kind. */
  evalUs: Record<string, number>;
  /** CPU ms of a whole push (a fresh encoding and its load) and of the push after one changed object (patches). */
  pushMs: number;
  incrementalPushMs: number;
  /** CPU ms of the push after an org config change (one rule's enforcement). */
  configPushMs?: number;
  jsonMiB: number;
  wasmMiB: number;
  rssIdleMiB: number;
  rssDeltaMiB: number;
  /** Of the RSS growth: the V8 heap's (the inventory's objects, the cached JSON). */
  heapDeltaMiB: number;
  /** Wall ms from loading the bundle to the first answered evaluation with the inventory pushed. */
  readyMs: number;
  error?: string;
}

export const SIZES = [0, 1000, 10_000, 50_000];
const MEMORY_MIB = 256;
/** Every kind of the generated mesh (bench/mesh.ts). */
const KINDS = ['Namespace', 'PeerAuthentication', 'Sidecar', 'Telemetry', 'ServiceEntry', 'Gateway', 'Service', 'Deployment', 'VirtualService', 'DestinationRule', 'AuthorizationPolicy'];

/** The admitted objects, one per kind, from namespace `shop` of the generated mesh. */
function admitted(): Array<{ kind: string; body: ArrayBuffer }> {
  const mesh = generatedMesh(60).filter((o) => o.metadata?.namespace === 'shop' || o.kind === 'Namespace');
  const pick = (kind: string): KubeObject | undefined => mesh.find((o) => o.kind === kind && (o.metadata?.name === 'app-1' || kind !== 'Deployment'));
  const kinds = ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'PeerAuthentication', 'AuthorizationPolicy', 'Telemetry', 'Service', 'Deployment', 'Namespace'];
  const out = kinds.flatMap((kind) => {
    const o = pick(kind);
    return o ? [{ kind, body: rawBytes(JSON.stringify(admissionReview(o, `scale-${kind}`, 'UPDATE'))) }] : [];
  });
  const dep = pick('Deployment') as KubeObject;
  out.push({ kind: 'Pod', body: rawBytes(JSON.stringify(admissionReview(podFromDeployment(dep, 'shop', {}), 'scale-Pod'))) });
  return out;
}

function heapMiB(): number {
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

function cpuMs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  return cpuSince(c0) / 1000;
}

/** The informers' lists: every object of the mesh grouped by kind. */
function byKind(objects: KubeObject[]): Map<string, KubeObject[]> {
  const kinds = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const list = kinds.get(o.kind ?? '') ?? [];
    list.push(o);
    kinds.set(o.kind ?? '', list);
  }
  return kinds;
}

/** What meshguard does on a debounced change: the inventory's data into the engine. */
function push(engine: OpaWasmEngine, inventory: Inventory, config: unknown): void {
  engine.setData({ config, ...inventoryData(inventory), scopes: inventory.scopes() });
}

/** The org config with one rule's enforcement set (an org config change). */
function withEnforcement(config: unknown, enforcement: string): unknown {
  const c = config as { rules?: Record<string, unknown> };
  return { ...c, rules: { ...c.rules, 'vs-subset-exists': { ...(c.rules?.['vs-subset-exists'] as object | undefined), enforcement } } };
}

/** Measures one inventory size in this process. */
export async function measureSize(objects: number, quick: boolean): Promise<ClusterScaleRow> {
  const budget = quick ? 120 : 400;
  const config = (await loadOrgConfig()).raw;
  const lists = byKind(generatedMesh(objects));
  const t0 = performance.now();
  const engine = await OpaWasmEngine.create(await readBundle(BUILTIN_BUNDLE), MEMORY_MIB);
  const rssIdle = rssMiB();
  const heapIdle = heapMiB();
  // The informers' lists, every kind declared (an empty cluster still knows its kinds).
  const fill = (): Inventory => {
    const inv = new Inventory();
    for (const kind of KINDS) inv.replaceKind(kind, lists.get(kind) ?? []);
    return inv;
  };
  const inventory = fill();
  const payloads = admitted();
  const row: ClusterScaleRow = { objects, evalUs: {}, pushMs: NaN, incrementalPushMs: NaN, jsonMiB: 0, wasmMiB: 0, rssIdleMiB: rssIdle, rssDeltaMiB: 0, heapDeltaMiB: 0, readyMs: NaN };
  try {
    push(engine, inventory, config);
    engine.evaluate(payloads[0]?.body as ArrayBuffer);
    row.readyMs = performance.now() - t0;
    // A whole push (start, org config change): a fresh inventory's encoding and its load.
    row.pushMs = Math.min(...[0, 1, 2].map(() => {
      const copy = fill();
      return cpuMs(() => engine.setDataBytes(engine.encode({ config, ...inventoryData(copy), scopes: copy.scopes() })));
    }));
    push(engine, inventory, config);
    const changed = structuredClone(inventory.get('VirtualService', 'shop', 'app-2') ?? generatedMesh(20)[8] as KubeObject);
    row.incrementalPushMs = Math.min(...[0, 1, 2].map((i) => cpuMs(() => {
      changed.metadata = { ...changed.metadata, resourceVersion: `${2000 + i}` };
      inventory.upsert(changed);
      push(engine, inventory, config);
    })));
    row.configPushMs = Math.min(...['warn', 'dryrun', 'deny'].map((e) => cpuMs(() => push(engine, inventory, withEnforcement(config, e)))));
    push(engine, inventory, config);
    row.jsonMiB = Buffer.byteLength(engine.encode({ config, ...inventoryData(inventory), scopes: inventory.scopes() })) / 1024 / 1024;
    row.wasmMiB = (engine as unknown as { policy: { mem: WebAssembly.Memory } }).policy.mem.buffer.byteLength / 1024 / 1024;
    row.rssDeltaMiB = rssMiB() - rssIdle;
    row.heapDeltaMiB = heapMiB() - heapIdle;
    // V8 runs a fresh Wasm module as baseline code until it tiers it up: warm every kind first.
    const warm = performance.now();
    while (performance.now() - warm < budget * 4) for (const p of payloads) engine.evaluate(p.body);
    for (const p of payloads) row.evalUs[p.kind] = timeUs(() => engine.evaluate(p.body), budget);
  } catch (err) {
    row.error = (err as Error).message.split('\n')[0];
  }
  return row;
}

/** Runs every size in its own child process (pinned like the servers), smallest first. */
export async function runClusterScale(opts: { quick: boolean; pinning: Pinning; log: (line: string) => void; sizes?: number[] }): Promise<ClusterScaleRow[]> {
  const rows: ClusterScaleRow[] = [];
  for (const objects of opts.sizes ?? SIZES) {
    opts.log(`cluster scale: ${objects} objects`);
    const args = ['--expose-gc', path.join(repoRoot, 'dist', 'bench', 'cluster-scale.js'), '--objects', String(objects), ...(opts.quick ? ['--quick'] : [])];
    const [cmd, ...prefix] = opts.pinning.enabled ? [...opts.pinning.serverPrefix, process.execPath] : [process.execPath];
    const child = spawn(cmd as string, [...prefix, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`cluster-scale.js --objects ${objects} exited with ${code}`);
    rows.push(JSON.parse(stdout) as ClusterScaleRow);
  }
  return rows;
}

const fmt = (n: number): string => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)) : 'n/a');

/** The scale table and its targets, as text or Markdown. */
export function formatClusterScale(rows: ClusterScaleRow[], markdown: boolean): string {
  const kinds = [...new Set(rows.flatMap((r) => Object.keys(r.evalUs)))];
  const head = ['objects', ...kinds.map((k) => `${k} µs`), 'push ms', 'push after 1 change ms', 'push after config change ms', 'JSON MiB', 'Wasm MiB', 'RSS +MiB', 'V8 heap +MiB', 'ready ms', 'error'];
  const body = rows.map((r) => [String(r.objects), ...kinds.map((k) => fmt(r.evalUs[k] ?? NaN)), fmt(r.pushMs), fmt(r.incrementalPushMs), fmt(r.configPushMs ?? NaN), fmt(r.jsonMiB), fmt(r.wasmMiB), fmt(r.rssDeltaMiB), fmt(r.heapDeltaMiB), fmt(r.readyMs), r.error ?? '']);
  const table = markdown
    ? [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((b) => `| ${b.join(' | ')} |`)]
    : [head.join('\t'), ...body.map((b) => b.join('\t'))];
  return [markdown ? '### Cluster scale (generated mesh; CPU µs per evaluation, push CPU ms, RSS over the idle engine)' : 'Cluster scale', '', ...table, '', ...scaleTargets(rows, markdown)].join('\n');
}

/** The scale table of a run beside the others ('' when the run has none). */
export function clusterScaleText(results: { clusterScale?: ClusterScaleRow[] }, markdown: boolean): string {
  return results.clusterScale ? `\n${formatClusterScale(results.clusterScale, markdown)}\n` : '';
}

/** The issue's scale targets against a run (measured, never asserted). */
export function scaleTargets(rows: ClusterScaleRow[], markdown: boolean): string[] {
  const empty = rows.find((r) => r.objects === 0);
  const ten = rows.find((r) => r.objects === 10_000);
  const fifty = rows.find((r) => r.objects === 50_000);
  if (!empty || !ten) return [];
  const ratios = Object.entries(ten.evalUs).map(([k, us]) => [k, us / (empty.evalUs[k] ?? NaN)] as const);
  const worst = ratios.reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0] as readonly [string, number]);
  const lines = [
    ['every kind at 10,000 objects within 1.2x of empty', `worst ${worst[0]} ${worst[1].toFixed(2)}x`, worst[1] <= 1.2],
    ['push at 10,000 objects < 20 ms', `${fmt(ten.pushMs)} ms (after one change: ${fmt(ten.incrementalPushMs)} ms; after an org config change: ${fmt(ten.configPushMs ?? NaN)} ms)`, ten.pushMs < 20],
    ['RSS at 10,000 objects < +40 MiB over idle', `+${fmt(ten.rssDeltaMiB)} MiB${fifty ? ` (50,000: +${fmt(fifty.rssDeltaMiB)} MiB)` : ''}`, ten.rssDeltaMiB < 40],
  ] as const;
  return markdown
    ? ['| target | measured | met |', '| --- | --- | --- |', ...lines.map(([t, m, ok]) => `| ${t} | ${m} | ${ok ? 'yes' : 'NO'} |`)]
    : lines.map(([t, m, ok]) => `${t}: ${m} ${ok ? 'met' : 'NOT MET'}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { objects: { type: 'string' }, quick: { type: 'boolean', default: false }, markdown: { type: 'boolean', default: false } } });
  const quick = values.quick ?? false;
  if (values.objects === undefined) {
    // Every size, each in its own process (unpinned), then the table.
    const rows = await runClusterScale({ quick, pinning: { enabled: false } as Pinning, log: (l) => console.error(l) });
    process.stdout.write(`${formatClusterScale(rows, values.markdown ?? false)}\n`);
    return;
  }
  const objects = Number(values.objects);
  if (!Number.isInteger(objects) || objects < 0) throw new Error('usage: cluster-scale.js [--objects <n>] [--quick] [--markdown]');
  process.stdout.write(`${JSON.stringify(await measureSize(objects, quick))}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((err: unknown) => {
    console.error(`cluster-scale: ${(err as Error).message}`);
    process.exit(1);
  });
}
