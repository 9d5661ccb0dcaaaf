/**
 * The decisions corpus: every rule sample file and every manifest of ../shared/data (each file on
 * its own, then the whole corpus as one inventory) and a generated consistent mesh through the built-in pack with the same
 * decision path as `meshguard check`, recorded as verdicts and the engine's own violations. The
 * recorded baseline (decisions-baseline.json) lets a test prove that a change to the rules' data
 * access (indexes, lookups, field trimming, incremental pushes) changes no decision.
 *
 *   node dist/test/policy/decisions.js --write   (npm run decisions:baseline, after npm run build)
 */
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expandPaths, readManifests } from '../../src/cli/manifests.js';
import { loadOrgConfig } from '../../src/org-config.js';
import { readBundle } from '../../src/policy/bundle.js';
import { OpaWasmEngine, type PolicyEngine } from '../../src/policy/engine.js';
import { checkObjects, type CheckInput } from '../../src/policy/offline.js';
import type { Violation } from '../../src/policy/types.js';
import { generatedMesh } from '../../bench/mesh.js';
import { builtinBundle, repoRoot, sharedData } from '../support/paths.js';

/** One object's recorded decision. */
export interface RecordedDecision {
  object: string;
  allowed: boolean;
  error?: string;
  /** The engine's violations (before exemptions), sorted. */
  violations: Violation[];
}

/** Recorded decisions per input set (a sample file, a corpus file, or the whole corpus). */
export type DecisionSets = Record<string, RecordedDecision[]>;

/** Where the baseline lives (in the sources, beside this module). */
export const baselinePath = path.join(repoRoot, 'test', 'policy', 'decisions-baseline.json');

/** Secrets' TLS facts depend on the time; the corpus is judged at a fixed one. */
const NOW = new Date('2026-06-01T00:00:00Z');

/** Size of the generated mesh (bench/mesh.ts) in the corpus: ten namespaces. */
const MESH_OBJECTS = 500;

/** Folders of ../shared/data that hold CRDs or documentation, not objects to admit. */
const SKIPPED = /(^|\/)(istio-crds|knative-serving-crds[^/]*|crds-[^/]*)(\/|$)/;

/** Every rule sample file, relative to the repository root, sorted. */
export function sampleFiles(): string[] {
  const rulesDir = path.join(repoRoot, 'policies', 'istio');
  const out: string[] = [];
  for (const rule of readdirSync(rulesDir).sort()) {
    for (const kind of ['allowed', 'denied']) {
      const dir = path.join(rulesDir, rule, 'samples', kind);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) out.push(path.join('policies', 'istio', rule, 'samples', kind, f));
    }
  }
  return out;
}

/** Every manifest of ../shared/data outside the CRD folders, relative to it, sorted. */
export async function corpusFiles(): Promise<string[]> {
  const files = await expandPaths([sharedData]);
  return files.map((f) => path.relative(sharedData, f.path)).filter((f) => !SKIPPED.test(f) && !f.endsWith('index.json')).sort();
}

/** Sorts violations by their whole JSON so that rule order never shows as a difference. */
function sorted(violations: Violation[]): Violation[] {
  return violations.map((v) => ({ id: v.id, enforcement: v.enforcement, message: v.message, details: v.details ?? {} }))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/**
 * How the engine gets the inventory: as the webhook and `meshguard check` give it (trimmed, with
 * the index), or whole and without the index (the rules then scan, as before the index existed).
 */
export interface DataPath {
  trim: boolean;
  index: boolean;
}

/** Checks one input set and records every object's decision and raw violations. */
function record(engine: PolicyEngine, org: Awaited<ReturnType<typeof loadOrgConfig>>, inputs: CheckInput[], via: DataPath): RecordedDecision[] {
  const raw: Violation[][] = [];
  const recording: PolicyEngine = {
    version: engine.version, catalog: engine.catalog,
    setData: (data) => engine.setData(via.index ? data : { ...data, index: undefined }),
    evaluate: (review) => {
      const found = engine.evaluate(review);
      raw.push(found);
      return found;
    },
  };
  const results = checkObjects(recording, org, inputs, { namespace: 'default', now: NOW, trim: via.trim });
  let next = 0;
  return results.map((r) => {
    const violations = r.error === undefined ? (raw[next++] ?? []) : [];
    return { object: `${r.kind} ${r.namespace}/${r.name}`, allowed: r.allowed, ...(r.error ? { error: r.error } : {}), violations: sorted(violations) };
  });
}

/** The objects of `files` under `root`; a file holding no Kubernetes objects gives none. */
async function readAll(files: string[], root: string): Promise<CheckInput[]> {
  const out: CheckInput[] = [];
  for (const f of files) {
    try {
      out.push(...(await readManifests([path.join(root, f)])).map((i) => ({ ...i, file: f })));
    } catch (err) {
      if (!(err as Error).message.includes('not a Kubernetes object')) throw err;
    }
  }
  return out;
}

/** Runs the whole corpus through `engine` (the built-in pack when omitted). */
export async function recordDecisions(engine?: PolicyEngine, via: DataPath = { trim: true, index: true }): Promise<DecisionSets> {
  const policy = engine ?? (await OpaWasmEngine.create(await readBundle(builtinBundle)));
  const org = await loadOrgConfig();
  const sets: DecisionSets = {};
  for (const file of sampleFiles()) sets[file] = record(policy, org, await readAll([file], repoRoot), via);
  const corpus = await corpusFiles();
  for (const file of corpus) {
    const inputs = await readAll([file], sharedData);
    if (inputs.length > 0) sets[`shared/${file}`] = record(policy, org, inputs, via);
  }
  sets['shared (every file as one inventory)'] = record(policy, org, await readAll(corpus, sharedData), via);
  const mesh = generatedMesh(MESH_OBJECTS).map((object, i) => ({ file: 'generated mesh', line: i + 1, object }));
  sets[`generated mesh of ${MESH_OBJECTS} objects`] = record(policy, org, mesh, via);
  return sets;
}

async function main(): Promise<void> {
  if (!process.argv.includes('--write')) {
    console.error('usage: node dist/test/policy/decisions.js --write   (records test/policy/decisions-baseline.json)');
    process.exit(2);
  }
  const sets = await recordDecisions();
  await writeFile(baselinePath, `${JSON.stringify(sets, null, 1)}\n`);
  const objects = Object.values(sets).reduce((n, s) => n + s.length, 0);
  console.error(`recorded ${objects} decisions in ${Object.keys(sets).length} sets to ${path.relative(repoRoot, baselinePath)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((err: unknown) => {
    console.error(`decisions: ${(err as Error).message}`);
    process.exit(1);
  });
}
