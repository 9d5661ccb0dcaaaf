import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { mutationEnvOf } from '../../../src/admission/mutate.js';
import { readManifests } from '../../../src/cli/manifests.js';
import { Inventory } from '../../../src/inventory/inventory.js';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { mutate, parseMutationConfig, parseQuantity, PROXY_RESOURCE_ANNOTATIONS, type MutationEnv } from '../../../src/mutation/index.js';
import { loadOrgConfig, type OrgConfig } from '../../../src/org-config.js';
import { readBundle } from '../../../src/policy/bundle.js';
import { OpaWasmEngine } from '../../../src/policy/engine.js';
import { admissionReview } from '../../support/fixtures.js';
import { orgConfigFile } from '../../support/server.js';
import { builtinBundle, sharedData } from '../../support/paths.js';

/** mulberry32: a small seeded PRNG, so every run generates the same pods. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
const int = (r: Random, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** A CPU quantity in one of the notations people write (up to 64 cores). */
function cpu(r: Random): string {
  const millis = pick(r, [int(r, 1, 999), int(r, 1, 64) * 1000, int(r, 1, 64000)]);
  return pick(r, [`${millis}m`, `${millis / 1000}`, `${millis}e-3`, `${millis * 1000}u`]);
}

/** A memory quantity in one of the notations people write (up to 64Gi). */
function memory(r: Random): string {
  const mi = int(r, 1, 65536);
  return pick(r, [`${mi}Mi`, `${Math.ceil(mi / 1024)}Gi`, `${mi}M`, `${(mi / 1000).toFixed(2)}G`, `${mi * 1024}Ki`, `${mi * 1048576}`]);
}

function resources(r: Random): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const part of ['requests', 'limits']) {
    const values: Record<string, string> = {};
    if (r() < 0.7) values.cpu = cpu(r);
    if (r() < 0.7) values.memory = memory(r);
    if (Object.keys(values).length > 0) out[part] = values;
  }
  return out;
}

/** Bounds of the user values generated: millicores and Mi. */
interface UserRange {
  cpu: [number, number];
  memoryMi: [number, number];
}

/** User proxy annotations inside the rule's bounds, limit >= request when both are set. */
function userAnnotations(r: Random, range: UserRange): Record<string, string> {
  const out: Record<string, string> = {};
  const cpuReq = int(r, ...range.cpu);
  const cpuLim = int(r, cpuReq, range.cpu[1]);
  const memReq = int(r, ...range.memoryMi);
  const memLim = int(r, memReq, range.memoryMi[1]);
  if (r() < 0.25) out[PROXY_RESOURCE_ANNOTATIONS.cpu] = pick(r, [`${cpuReq}m`, `${cpuReq / 1000}`]);
  if (r() < 0.25) out[PROXY_RESOURCE_ANNOTATIONS.cpuLimit] = `${cpuLim}m`;
  if (r() < 0.25) out[PROXY_RESOURCE_ANNOTATIONS.memory] = `${memReq}Mi`;
  // The same limit in M, rounded up (never below the request), when that stays inside the bounds.
  const inM = Math.ceil((memLim * 1048576) / 1e6);
  const limitM = inM * 1e6 <= range.memoryMi[1] * 1048576 ? `${inM}M` : `${memLim}Mi`;
  if (r() < 0.25) out[PROXY_RESOURCE_ANNOTATIONS.memoryLimit] = pick(r, [`${memLim}Mi`, limitM]);
  return out;
}

function generatedPod(r: Random, i: number, range: UserRange): KubeObject {
  const annotations = userAnnotations(r, range);
  const profile = pick(r, [undefined, undefined, 'small', 'medium', 'large', 'unknown']);
  if (profile) annotations['meshguard.io/sidecar-profile'] = profile;
  const containers = Array.from({ length: int(r, 1, 3) }, (_, c) => ({ name: `app${c}`, image: 'app', resources: resources(r) }));
  const initContainers = Array.from({ length: int(r, 0, 2) }, (_, c) => ({
    name: `init${c}`, image: 'init', resources: resources(r), ...(r() < 0.5 ? { restartPolicy: 'Always' } : {}),
  }));
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, annotations }, spec: { containers, initContainers } };
}

const SIZING_RULES = ['pod-proxy-resources-range', 'pod-proxy-resources-partial'];

/** Rule bounds narrower than the mutator's floors, ceilings and profiles, and not whole Mi: clamping and exact writing matter. */
const NARROW = `rules:
  pod-proxy-resources-range:
    params: {cpuMin: 100m, cpuMax: "1", memoryMin: 100M, memoryMax: 1G}
`;

const suites: Array<{ name: string; orgYaml?: string; range: UserRange; seed: number }> = [
  { name: 'the default org config', range: { cpu: [50, 2000], memoryMi: [64, 2048] }, seed: 20261129 },
  { name: 'range bounds narrower than the sizing settings', orgYaml: NARROW, range: { cpu: [100, 1000], memoryMi: [96, 953] }, seed: 7 },
];

for (const suite of suites) describe(`sidecar sizing never contradicts validation, ${suite.name} (property test through the real Wasm engine)`, () => {
  let engine: OpaWasmEngine;
  let org: OrgConfig;
  let env: MutationEnv;
  before(async () => {
    org = await loadOrgConfig(suite.orgYaml === undefined ? undefined : await orgConfigFile(suite.orgYaml));
    const inventory = new Inventory();
    inventory.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mesh', labels: { 'istio-injection': 'enabled' } } });
    const base = mutationEnvOf(org, inventory);
    // Pod templates too, so the workloads of the shared data are sized like Pods.
    env = { ...base, config: parseMutationConfig({ ...(org.mutation as object), sidecar: { templates: true } }) };
    engine = await OpaWasmEngine.create(await readBundle(builtinBundle));
    engine.setData({ config: org.raw, inventory: inventory.toJSON() });
  });

  /** Mutates an object as a CREATE in namespace mesh, validates the result; returns the problems found. */
  function check(object: KubeObject): string[] {
    const obj: KubeObject = { ...object, metadata: { ...object.metadata, namespace: 'mesh' } };
    const outcome = mutate({ operation: 'CREATE', kind: obj.kind ?? '', namespace: 'mesh', object: obj, dryRun: false }, env);
    const mutated = jsonpatch.applyPatch(structuredClone(obj), structuredClone(outcome.patch), true, false).newDocument as KubeObject;
    const problems = engine.evaluate(admissionReview(mutated, { namespace: 'mesh' }))
      .filter((v) => SIZING_RULES.includes(v.id)).map((v) => `${v.id}: ${v.message}`);
    for (const holder of sizedHolders(mutated)) {
      const a = holder.metadata?.annotations ?? {};
      const value = (k: keyof typeof PROXY_RESOURCE_ANNOTATIONS): bigint => parseQuantity(a[PROXY_RESOURCE_ANNOTATIONS[k]]).nanos;
      if (value('cpu') > value('cpuLimit')) problems.push(`cpu request ${a[PROXY_RESOURCE_ANNOTATIONS.cpu]} > limit ${a[PROXY_RESOURCE_ANNOTATIONS.cpuLimit]}`);
      if (value('memory') > value('memoryLimit')) problems.push(`memory request ${a[PROXY_RESOURCE_ANNOTATIONS.memory]} > limit ${a[PROXY_RESOURCE_ANNOTATIONS.memoryLimit]}`);
    }
    return problems;
  }

  it(`holds for 3,000 generated pods (seed ${suite.seed})`, () => {
    const r = prng(suite.seed);
    let sized = 0;
    for (let i = 0; i < 3000; i++) {
      const pod = generatedPod(r, i, suite.range);
      const problems = check(pod);
      assert.deepEqual(problems, [], `pod ${i}: ${JSON.stringify(pod)}`);
      sized++;
    }
    assert.equal(sized, 3000);
  });

  it('holds for every pod and workload of ../shared/data', async () => {
    const dirs = ['istio-samples', 'seed-examples', 'istio-gateway-api-ambient'].map((d) => path.join(sharedData, d));
    const objects = (await readManifests(dirs)).map((m) => m.object).filter((o) => POD_KINDS.has(o.kind ?? ''));
    assert.ok(objects.length >= 20, `found ${objects.length} pods and workloads`);
    for (const object of objects) assert.deepEqual(check(object), [], `${object.kind} ${object.metadata?.name}`);
  });
});

const POD_KINDS = new Set(['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);

/** The object itself (a Pod) or its pod template: where the sizing annotations live. */
function sizedHolders(obj: KubeObject): KubeObject[] {
  if (obj.kind === 'Pod') return [obj];
  const spec = obj.spec as { template?: KubeObject; jobTemplate?: { spec?: { template?: KubeObject } } } | undefined;
  const template = obj.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template : spec?.template;
  return template && template.metadata?.annotations?.[PROXY_RESOURCE_ANNOTATIONS.cpu] !== undefined ? [template] : [];
}
