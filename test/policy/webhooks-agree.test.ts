import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import jsonpatch, { type Operation } from 'fast-json-patch';
import { mutationEnvOf } from '../../src/admission/mutate.js';
import { readManifests } from '../../src/cli/manifests.js';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import { builtinMutators, changedFields, mutate, type MutationEnv, type OwnedField } from '../../src/mutation/index.js';
import { TEMPLATE_PATHS, dig } from '../../src/mutation/pod-targets.js';
import { loadOrgConfig } from '../../src/org-config.js';
import { readBundle } from '../../src/policy/bundle.js';
import { OpaWasmEngine } from '../../src/policy/engine.js';
import type { Violation } from '../../src/policy/types.js';
import { admissionReview } from '../support/fixtures.js';
import { builtinBundle, sharedData } from '../support/paths.js';

const NAMESPACE = 'mesh';

/** The mutator-owned fields, once, from the mutators themselves. */
const OWNED: ReadonlyArray<OwnedField & { mutator: string }> = builtinMutators.flatMap((m) => (m.owns ?? []).map((f) => ({ ...f, mutator: m.id })));

/** Written by the runner (which mutators ran), not by a mutator; no rule reads it. */
const RUNNER_FIELD = 'metadata.annotations["meshguard.io/mutations"]';

function pattern(owned: string): RegExp {
  const escaped = owned.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\[\\\*\\\]/g, '\\[\\d+\\]').replace(/^<pod>\\\./, '');
  return new RegExp(`^${escaped}$`);
}

/** The owned field a changed field is, or undefined (`pod`: the field is on the Pod or pod template). */
function ownerOf(kind: string, field: string, pod: boolean): string | undefined {
  return OWNED.find((o) => o.kinds.includes(kind) && o.path.startsWith('<pod>.') === pod && pattern(o.path).test(field))?.mutator;
}

function key(v: Violation): string {
  return `${v.id}: ${v.message}`;
}

/** The Pod a workload's controller creates from its template (name and namespace filled in). */
function podOf(object: KubeObject, templatePath: readonly string[]): KubeObject {
  const template = structuredClone(dig(object, templatePath) ?? {});
  return { apiVersion: 'v1', kind: 'Pod', ...template, metadata: { ...(template.metadata as object), name: `${object.metadata?.name ?? 'pod'}-0`, namespace: NAMESPACE } };
}

/** The patch of a Pod re-rooted at the workload's template. */
function atTemplate(ops: readonly Operation[], templatePath: readonly string[]): Operation[] {
  const prefix = templatePath.map((s) => `/${s}`).join('');
  return ops.map((op) => ({ ...op, path: `${prefix}${op.path}` }));
}

/**
 * The two webhooks agree: every object of ../shared/data goes through the mutating webhook's
 * mutators and then the validating webhook's engine, as the API server runs them (CREATE in a
 * namespace with sidecar injection on, the shipped org config). A finding is about a field the
 * mutating webhook sets for that object when it appears only because of the mutation, or when it
 * disappears once the fields the mutators set on the object's Pods are set on its pod template.
 * Neither may happen. Every field the mutators changed must be one they declare they own.
 */
describe('the validating webhook never reports what the mutating webhook sets (every object of ../shared/data)', () => {
  let engine: OpaWasmEngine;
  let env: MutationEnv;
  let objects: KubeObject[];
  before(async () => {
    const org = await loadOrgConfig();
    const inventory = new Inventory();
    inventory.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE, labels: { 'istio-injection': 'enabled' } } });
    env = mutationEnvOf(org, inventory);
    engine = await OpaWasmEngine.create(await readBundle(builtinBundle));
    engine.setData({ config: org.raw, inventory: inventory.toJSON() });
    const folders = readdirSync(sharedData, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(sharedData, d.name));
    // CRDs are the API's schema, not configuration: no rule or mutator reads them.
    objects = (await readManifests(folders)).map((m) => m.object).filter((o) => o.kind !== 'CustomResourceDefinition');
  });

  it('every built-in mutator declares the fields it owns', () => {
    assert.deepEqual(builtinMutators.filter((m) => !m.owns?.length).map((m) => m.id), []);
  });

  it('holds for every object', () => {
    const contradictions: string[] = [];
    let sizedPods = 0;
    for (const source of objects) {
      const object: KubeObject = { ...source, metadata: { ...source.metadata, namespace: NAMESPACE } };
      const kind = object.kind ?? '';
      const what = `${kind} ${object.metadata?.name ?? ''}`;
      const outcome = mutate({ operation: 'CREATE', kind, namespace: NAMESPACE, object, dryRun: false }, env);
      for (const field of changedFields(outcome.patch)) {
        if (field !== RUNNER_FIELD && !ownerOf(kind, field, kind === 'Pod')) contradictions.push(`${what}: a mutator changed ${field}, which none declares it owns`);
      }
      const before = new Set(engine.evaluate(admissionReview(object, { namespace: NAMESPACE })).map(key));
      const found = engine.evaluate(admissionReview(outcome.mutated, { namespace: NAMESPACE }));
      for (const v of found) if (!before.has(key(v))) contradictions.push(`${what}: the mutation caused ${key(v)}`);

      const templatePath = TEMPLATE_PATHS[kind];
      if (!templatePath || !dig(outcome.mutated, templatePath)) continue;
      const pod = mutate({ operation: 'CREATE', kind: 'Pod', namespace: NAMESPACE, object: podOf(outcome.mutated, templatePath), dryRun: false }, env);
      if (pod.patch.length === 0) continue;
      sizedPods++;
      for (const field of changedFields(pod.patch)) {
        if (field !== RUNNER_FIELD && !ownerOf(kind, field, true)) contradictions.push(`${what} Pod: a mutator changed ${field}, which none declares it owns`);
      }
      const podFields = pod.patch.filter((op) => changedFields([op]).some((f) => f !== RUNNER_FIELD));
      const completed = structuredClone(outcome.mutated);
      const template = dig(completed, templatePath)!;
      template.metadata ??= {};
      jsonpatch.applyPatch(completed, atTemplate(podFields, templatePath), true, true);
      const after = new Set(engine.evaluate(admissionReview(completed, { namespace: NAMESPACE })).map(key));
      for (const v of found) if (!after.has(key(v))) contradictions.push(`${what}: ${key(v)}, but the mutating webhook sets that on its Pods`);
    }
    assert.deepEqual(contradictions, []);
    assert.ok(objects.length >= 250 && sizedPods >= 20, `${objects.length} objects, ${sizedPods} workloads whose Pods are mutated`);
  });
});
