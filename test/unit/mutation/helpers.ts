/**
 * Test helpers for the mutation layer: every mutation goes through `run`, which checks the
 * returned patch honestly (applied to a copy of the original it must give `mutated` exactly), that
 * the input was not modified, and that a second mutate over the result yields an empty patch.
 */
import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import { Inventory } from '../../../src/inventory/inventory.js';
import type { KubeObject } from '../../../src/inventory/objects.js';
import {
  mutate,
  parseMutationConfig,
  type MutationConfig,
  type MutationEnv,
  type MutationOutcome,
  type MutationRequest,
  type Mutator,
} from '../../../src/mutation/index.js';

/** Deep-freezes a value so any in-place edit throws. */
export function freeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) freeze(v);
    Object.freeze(value);
  }
  return value;
}

/** A validated config: the defaults with `over` merged in. */
export function config(over?: unknown): MutationConfig {
  return parseMutationConfig(over);
}

/** An inventory holding Namespaces with the given labels (and annotations), plus extra objects. */
export function inventory(
  namespaces: Record<string, Record<string, string>>,
  extra: KubeObject[] = [],
  nsAnnotations: Record<string, Record<string, string>> = {},
): Inventory {
  const inv = new Inventory();
  inv.declareKind('ServiceEntry');
  for (const [name, labels] of Object.entries(namespaces)) {
    const annotations = nsAnnotations[name];
    inv.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels, ...(annotations ? { annotations } : {}) } });
  }
  for (const obj of extra) inv.upsert(obj);
  return inv;
}

/** The standard test cluster: namespaces in and out of the mesh. */
export function cluster(extra: KubeObject[] = []): Inventory {
  return inventory(
    {
      mesh: { 'istio-injection': 'enabled' },
      prod: { 'istio-injection': 'enabled' },
      rev: { 'istio.io/rev': 'canary' },
      ambient: { 'istio.io/dataplane-mode': 'ambient' },
      plain: {},
      off: { 'istio-injection': 'disabled' },
      big: { 'istio-injection': 'enabled', 'meshguard.io/sidecar-profile': 'large' },
      annotated: { 'istio-injection': 'enabled' },
    },
    extra,
    { annotated: { 'meshguard.io/sidecar-profile': 'small' } },
  );
}

/** Builds a request; CREATE in namespace `mesh` unless told otherwise. */
export function request(object: KubeObject, over: Partial<MutationRequest> = {}): MutationRequest {
  return { operation: 'CREATE', kind: object.kind ?? '', namespace: object.metadata?.namespace ?? 'mesh', object, dryRun: false, ...over };
}

/**
 * Runs mutate and checks the outcome honestly:
 * - the input is deep-frozen, so an in-place edit would throw;
 * - `applyPatch(clone(original), patch)` equals `mutated` exactly;
 * - a second mutate over `mutated` (same operation and oldObject) yields an empty patch.
 */
export function run(req: MutationRequest, env: MutationEnv, mutators?: Mutator[]): MutationOutcome {
  const original = structuredClone(req.object);
  freeze(req.object);
  if (req.oldObject) freeze(req.oldObject);
  const outcome = mutate(req, env, mutators);
  assert.deepEqual(req.object, original, 'the input object must not change');
  const applied = jsonpatch.applyPatch(structuredClone(original), outcome.patch, true, false).newDocument;
  assert.deepEqual(applied, outcome.mutated, 'applying the patch to the original must give the mutated object');
  const again = mutate({ ...req, object: structuredClone(outcome.mutated) }, env, mutators);
  assert.deepEqual(again.patch, [], 'a second mutate over the result must yield an empty patch');
  assert.deepEqual(again.applied, []);
  return outcome;
}

/** The annotations of the mutated object (or of the record at `path` inside it). */
export function annotationsAt(obj: KubeObject, path: string[] = []): Record<string, string> | undefined {
  let cur: unknown = obj;
  for (const step of path) cur = (cur as Record<string, unknown>)[step];
  return ((cur as KubeObject).metadata?.annotations ?? undefined) as Record<string, string> | undefined;
}

type Four<T = string> = { cpu: T; cpuLimit: T; memory: T; memoryLimit: T };

export { sizingRecord, sizingRecordObject } from '../../support/sizing-record.js';

/** The four proxy annotations as a map. */
export function proxyAnnotations(values: Four): Record<string, string> {
  return {
    'sidecar.istio.io/proxyCPU': values.cpu,
    'sidecar.istio.io/proxyCPULimit': values.cpuLimit,
    'sidecar.istio.io/proxyMemory': values.memory,
    'sidecar.istio.io/proxyMemoryLimit': values.memoryLimit,
  };
}

/** A container with optional requests and limits. */
export function container(
  name: string,
  requests?: Record<string, string>,
  limits?: Record<string, string>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  if (requests) resources.requests = requests;
  if (limits) resources.limits = limits;
  return { name, image: `example/${name}:1`, ...(requests || limits ? { resources } : {}), ...extra };
}

/** A Pod with the given containers and metadata. */
export function pod(
  containers: Record<string, unknown>[],
  meta: { labels?: Record<string, string>; annotations?: Record<string, string>; namespace?: string } = {},
  spec: Record<string, unknown> = {},
): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', ...meta }, spec: { containers, ...spec } };
}
