import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { MeshguardError } from '../../../src/errors.js';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { builtinMutators, explainMutations, mutate, type MutationEnv, type Mutator } from '../../../src/mutation/index.js';
import { config, freeze, request, run } from './helpers.js';

const env: MutationEnv = { config: config() };

function cm(meta: Record<string, unknown> = { name: 'c', namespace: 'mesh' }): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { a: '1' } };
}

const setB: Mutator = {
  id: 'set-b',
  matches: (req) => req.kind === 'ConfigMap',
  mutate(obj) {
    const data = obj.data as Record<string, string>;
    if (data.b !== undefined) return [];
    data.b = '2';
    return ['set-b: b set'];
  },
};

describe('mutation runner', () => {
  it('runs the built-in mutators in the documented order', () => {
    assert.deepEqual(builtinMutators.map((m) => m.id), ['sidecar-resources', 'mtls-defaults', 'telemetry-defaults', 'waypoint-resources']);
  });

  it('creates metadata.annotations with one add when it is absent, and the patch reproduces the result', () => {
    const outcome = run(request(cm()), env, [setB]);
    assert.deepEqual(outcome.patch, [
      { op: 'add', path: '/data/b', value: '2' },
      { op: 'add', path: '/metadata/annotations', value: { 'meshguard.io/mutations': 'set-b' } },
    ]);
    assert.deepEqual(outcome.mutated, { ...cm(), metadata: { name: 'c', namespace: 'mesh', annotations: { 'meshguard.io/mutations': 'set-b' } }, data: { a: '1', b: '2' } });
    assert.deepEqual(outcome.applied, ['set-b']);
    assert.deepEqual(outcome.notes, ['set-b: b set']);
  });

  it('creates metadata itself when the object has none', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', data: {} };
    const outcome = run(request(obj, { namespace: 'mesh' }), env, [setB]);
    assert.deepEqual(outcome.mutated, { apiVersion: 'v1', kind: 'ConfigMap', data: { b: '2' }, metadata: { annotations: { 'meshguard.io/mutations': 'set-b' } } });
  });

  it('merges its id with the ids already recorded, without duplicates', () => {
    const outcome = run(request(cm({ name: 'c', annotations: { 'meshguard.io/mutations': 'mtls-defaults, set-b', other: 'x' } })), env, [setB]);
    assert.deepEqual(outcome.mutated.metadata?.annotations, { 'meshguard.io/mutations': 'mtls-defaults,set-b', other: 'x' });
    const fresh = run(request(cm({ name: 'c', annotations: { 'meshguard.io/mutations': 'mtls-defaults' } })), env, [setB]);
    assert.equal(fresh.mutated.metadata?.annotations?.['meshguard.io/mutations'], 'mtls-defaults,set-b');
  });

  it('reports what each mutator changed, and an unknown mutator is explained field by field', () => {
    const outcome = run(request(cm({ name: 'c' })), env, [setB]);
    assert.deepEqual(outcome.changes, [{ mutator: 'set-b', ops: [{ op: 'add', path: '/data/b', value: '2' }] }]);
    assert.deepEqual(explainMutations(request(cm({ name: 'c' })), outcome), ['meshguard: set-b: set data.b 2']);
  });

  it('records nothing when no mutator changes anything', () => {
    const noop: Mutator = { id: 'noop', matches: () => true, mutate: () => ['noop: nothing to do'] };
    const obj = cm();
    const outcome = run(request(obj), env, [noop]);
    assert.deepEqual(outcome, { patch: [], mutated: obj, applied: [], changes: [], notes: ['noop: nothing to do'] });
  });

  it('skips mutators that do not match', () => {
    const never: Mutator = { id: 'never', matches: () => false, mutate: () => { throw new Error('must not run'); } };
    assert.deepEqual(run(request(cm()), env, [never]).patch, []);
  });

  it('answers DELETE and CONNECT with an empty outcome', () => {
    for (const operation of ['DELETE', 'CONNECT'] as const) {
      const obj = freeze(cm());
      assert.deepEqual(mutate(request(obj, { operation }), env, [setB]), { patch: [], mutated: obj, applied: [], changes: [], notes: [] });
    }
  });

  it('takes further passes while mutators depend on each other, within maxPasses', () => {
    const needsB: Mutator = {
      id: 'needs-b',
      matches: () => true,
      mutate(obj) {
        const data = obj.data as Record<string, string>;
        if (data.b === undefined || data.c !== undefined) return [];
        data.c = '3';
        return [];
      },
    };
    const outcome = run(request(cm()), env, [needsB, setB]);
    assert.deepEqual(outcome.mutated.data, { a: '1', b: '2', c: '3' });
    assert.deepEqual(outcome.applied, ['set-b', 'needs-b']);
    assert.equal(outcome.mutated.metadata?.annotations?.['meshguard.io/mutations'], 'set-b,needs-b');
    assert.throws(
      () => mutate(request(cm()), { config: config({ maxPasses: 2 }) }, [needsB, setB]),
      (err: unknown) => err instanceof MeshguardError && err.code === 'MG_ERR_MUTATION_NOT_CONVERGED',
    );
  });

  it('fails with MUTATION_NOT_CONVERGED when a mutator keeps changing its output', () => {
    const counter: Mutator = {
      id: 'counter',
      matches: () => true,
      mutate(obj) {
        const data = obj.data as Record<string, string>;
        data.n = String(Number(data.n ?? 0) + 1);
        return [];
      },
    };
    assert.throws(
      () => mutate(request(cm()), env, [counter]),
      (err: unknown) =>
        err instanceof MeshguardError &&
        err.code === 'MG_ERR_MUTATION_NOT_CONVERGED' &&
        err.message === 'mutation did not converge after 3 passes (still changing: counter)',
    );
  });

  it('wraps an unexpected mutator error as MUTATION_FAILED naming the mutator', () => {
    const broken: Mutator = { id: 'broken', matches: () => true, mutate: () => { throw new TypeError('boom'); } };
    assert.throws(
      () => mutate(request(cm()), env, [broken]),
      (err: unknown) => err instanceof MeshguardError && err.code === 'MG_ERR_MUTATION_FAILED' && err.message === 'mutator broken: boom',
    );
  });

  it('gives the same answer for a dry run', () => {
    assert.deepEqual(run(request(cm(), { dryRun: true }), env, [setB]), run(request(cm()), env, [setB]));
  });

  it('produces patches that apply cleanly over keys with "/" and "~"', () => {
    const tilde: Mutator = {
      id: 'tilde',
      matches: () => true,
      mutate(obj) {
        const meta = obj.metadata as Record<string, Record<string, string>>;
        meta.labels = { ...meta.labels, 'a~b/c': 'd' };
        return [];
      },
    };
    const obj = cm({ name: 'c', labels: { keep: 'x' } });
    const outcome = run(request(obj), env, [tilde]);
    assert.ok(outcome.patch.some((op) => op.path === '/metadata/labels/a~0b~1c'));
    assert.deepEqual(jsonpatch.applyPatch(structuredClone(obj), outcome.patch).newDocument.metadata?.labels, { keep: 'x', 'a~b/c': 'd' });
  });
});
