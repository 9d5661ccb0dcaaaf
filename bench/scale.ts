/**
 * In-process scale measurements of the policy engine (OpaWasmEngine, as the webhook uses it):
 * evaluation time per payload, against the number of rules, the object size (raw bytes vs object
 * input) and the inventory size (push time, Wasm memory, RSS). Run as its own process so memory
 * figures are not mixed with the load generator's:
 *
 *   node --expose-gc dist/bench/scale.js [--quick] [--work <dir>]   (JSON on stdout)
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Inventory } from '../src/inventory/inventory.js';
import { loadOrgConfig } from '../src/org-config.js';
import { readBundle } from '../src/policy/bundle.js';
import { OpaWasmEngine } from '../src/policy/engine.js';
import { resolveOpa } from '../src/policy/opa-binary.js';
import { BUILTIN_BUNDLE } from '../src/policy/service.js';
import { admissionReview, deniedPayload, mutatePayloads, validatePayloads, type Payload } from './payloads.js';
import { runPipeline, type PipelineRow } from './pipeline.js';
import { cpuSince, median, rawBytes, rssMiB, timeUs } from './measure.js';
import { buildSubsetBundle, pickRules, ruleDirs, syntheticInventory, virtualServiceWithRoutes } from './scale-inputs.js';

/** Everything scale.js reports. */
export interface ScaleResult {
  payloads: Array<{ payload: string; bytes: number; evalUs: number; violations: number }>;
  rules: Array<{ rules: number; evalUs: number }>;
  objectSize: Array<{ routes: number; bytes: number; rawUs: number; objectUs: number }>;
  /** Per inventory size; `evalUs` per /validate payload (cross-resource rules read the inventory). */
  inventory: Array<{ objects: number; jsonMiB: number; pushMs: number; wasmMiB: number; rssDeltaMiB: number; evalUs: Record<string, number>; error?: string }>;
  memoryCapMiB: number;
  /** Where one admission's CPU time goes, in-process (pipeline.ts). */
  pipeline: PipelineRow[];
}

const MEMORY_MIB = 256; // meshguard's default policyMemoryMiB

function wasmMiB(engine: OpaWasmEngine): number {
  // Benchmark-only look inside the SDK: LoadedPolicy keeps its WebAssembly.Memory as `mem`.
  const policy = (engine as unknown as { policy: { mem: WebAssembly.Memory } }).policy;
  return policy.mem.buffer.byteLength / 1024 / 1024;
}

async function engineFor(bundlePath: string, config: unknown): Promise<OpaWasmEngine> {
  const engine = await OpaWasmEngine.create(await readBundle(bundlePath), MEMORY_MIB);
  engine.setData({ config, inventory: {} });
  return engine;
}

function meanEvalUs(engine: OpaWasmEngine, payloads: Payload[], budgetMs: number): number {
  const raws = payloads.map((p) => rawBytes(p.body));
  return timeUs(() => {
    for (const raw of raws) engine.evaluate(raw);
  }, budgetMs) / raws.length;
}

/** Runs every measurement; `quick` shortens the timing budgets and skips the rule-subset builds. */
export async function runScale(opts: { quick: boolean; workDir: string; log?: (line: string) => void }): Promise<ScaleResult> {
  const log = opts.log ?? (() => {});
  const budget = opts.quick ? 150 : 600;
  const config = (await loadOrgConfig()).raw;
  const mix = validatePayloads();
  const engine = await engineFor(BUILTIN_BUNDLE, config);

  log('scale: per payload');
  const everyPayload = [...mix, deniedPayload(), ...mutatePayloads()];
  const payloads = everyPayload.map((p) => {
    const raw = rawBytes(p.body);
    return { payload: p.name, bytes: raw.byteLength, evalUs: timeUs(() => engine.evaluate(raw), budget / 2), violations: engine.evaluate(raw).length };
  });

  log('scale: rule count');
  const all = await ruleDirs();
  const counts = opts.quick ? [all.length] : [...new Set([1, 10, Math.ceil(all.length / 2), all.length])].filter((n) => n <= all.length);
  const opa = counts.some((n) => n < all.length) ? await resolveOpa() : '';
  const rules: ScaleResult['rules'] = [];
  for (const n of counts) {
    const bundle = n === all.length ? BUILTIN_BUNDLE : await buildSubsetBundle(opa, pickRules(all, n), opts.workDir);
    rules.push({ rules: n, evalUs: meanEvalUs(await engineFor(bundle, config), mix, budget) });
  }

  log('scale: object size');
  const objectSize: ScaleResult['objectSize'] = [];
  for (const routes of [10, 100, 1000]) {
    const review = admissionReview(virtualServiceWithRoutes(routes), `routes-${routes}`);
    const raw = rawBytes(JSON.stringify(review));
    objectSize.push({
      routes, bytes: raw.byteLength,
      rawUs: timeUs(() => engine.evaluate(raw), budget), objectUs: timeUs(() => engine.evaluate(review), budget),
    });
  }

  log('scale: inventory size');
  const inventory: ScaleResult['inventory'] = [];
  for (const objects of opts.quick ? [100, 1000] : [100, 1000, 10_000]) {
    const fresh = await engineFor(BUILTIN_BUNDLE, config);
    const rss0 = rssMiB();
    const inv = new Inventory();
    for (const o of syntheticInventory(objects)) inv.upsert(o);
    const jsonMiB = Buffer.byteLength(JSON.stringify(inv.toJSON())) / 1024 / 1024;
    try {
      const pushes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const c0 = process.cpuUsage();
        fresh.setData({ config, inventory: inv.toJSON() });
        pushes.push(cpuSince(c0) / 1000);
      }
      inventory.push({
        objects, jsonMiB, pushMs: median(pushes), wasmMiB: wasmMiB(fresh), rssDeltaMiB: rssMiB() - rss0,
        evalUs: Object.fromEntries([...mix, ...mutatePayloads()].map((p) => [p.name, meanEvalUs(fresh, [p], budget / 2)])),
      });
    } catch (err) {
      inventory.push({ objects, jsonMiB, pushMs: NaN, wasmMiB: wasmMiB(fresh), rssDeltaMiB: rssMiB() - rss0, evalUs: {}, error: (err as Error).message });
    }
  }
  log('scale: where the CPU time of one admission goes (in-process)');
  const pipeline = await runPipeline(mix, mutatePayloads(), opts.quick ? { warmMs: 500, ms: 300 } : { warmMs: 2000, ms: 1000 });
  return { payloads, rules, objectSize, inventory, memoryCapMiB: MEMORY_MIB, pipeline };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, work: { type: 'string' } } });
  const workDir = values.work ?? (await mkdtemp(path.join(os.tmpdir(), 'meshguard-scale-')));
  const result = await runScale({ quick: values.quick ?? false, workDir, log: (l) => console.error(l) });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((err: unknown) => {
    console.error(`scale: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
}
