import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { mutate, type MutationEnv, type Mutator } from '../../../src/mutation/index.js';
import { ownedCopy, ownedView, pathTree } from '../../../src/mutation/subtrees.js';
import { config, freeze, request } from './helpers.js';

function pod(): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'mesh', labels: { app: 'p' }, annotations: { 'a/b': '1' } },
    spec: { containers: [{ name: 'app', image: 'nginx' }] },
  };
}

describe('owned subtrees', () => {
  it('merges paths into a tree; a path inside an owned subtree adds nothing; [] owns everything', () => {
    const tree = pathTree([['metadata', 'annotations'], ['metadata', 'annotations', 'x'], ['spec']]);
    assert.deepEqual(tree, new Map<string, unknown>([['metadata', new Map([['annotations', true]])], ['spec', true]]));
    assert.equal(pathTree([['spec'], []]), true);
    assert.deepEqual(pathTree([]), new Map());
  });

  it('copies only the owned subtrees: writes there leave the original alone, the rest is shared', () => {
    const original = freeze(pod());
    const copy = ownedCopy(original, pathTree([['metadata', 'annotations']]));
    (copy.metadata!.annotations as Record<string, string>)['c/d'] = '2';
    assert.deepEqual(original.metadata!.annotations, { 'a/b': '1' });
    assert.notEqual(copy.metadata, original.metadata);
    assert.equal(copy.spec, original.spec);
    assert.equal(copy.metadata!.labels, original.metadata!.labels);
  });

  it('a view holds the owned subtrees alone, so its diff is the whole diff with escaped keys', () => {
    const tree = pathTree([['metadata', 'annotations']]);
    const a = pod();
    const b = ownedCopy(a, tree);
    (b.metadata!.annotations as Record<string, string>)['c/d'] = '2';
    delete (b.metadata!.annotations as Record<string, string>)['a/b'];
    assert.deepEqual(ownedView(a, tree), { metadata: { annotations: { 'a/b': '1' } } });
    const expected = [{ op: 'remove', path: '/metadata/annotations/a~1b' }, { op: 'add', path: '/metadata/annotations/c~1d', value: '2' }];
    assert.deepEqual(jsonpatch.compare(ownedView(a, tree) as object, ownedView(b, tree) as object), expected);
    assert.deepEqual(jsonpatch.compare(a, b), expected);
  });

  it('a subtree created where the original had none is added at the first missing level', () => {
    const tree = pathTree([['metadata', 'annotations']]);
    const a: KubeObject = { apiVersion: 'v1', kind: 'Pod', spec: {} };
    const b = ownedCopy(a, tree);
    b.metadata = { annotations: { x: 'y' } };
    assert.deepEqual(a, { apiVersion: 'v1', kind: 'Pod', spec: {} });
    assert.deepEqual(jsonpatch.compare(ownedView(a, tree) as object, ownedView(b, tree) as object), [{ op: 'add', path: '/metadata', value: { annotations: { x: 'y' } } }]);
  });

  it('the runner patches what a mutator writes in its subtree and never touches the request object', () => {
    const setAnnotation: Mutator = {
      id: 'set-annotation',
      matches: (req) => req.kind === 'Pod',
      mutate(obj) {
        const annotations = obj.metadata!.annotations as Record<string, string>;
        if (annotations['x/y'] === 'z') return [];
        annotations['x/y'] = 'z';
        return ['set'];
      },
      writes: () => [['metadata', 'annotations']],
    };
    const env: MutationEnv = { config: config() };
    const object = freeze(pod());
    const outcome = mutate(request(object), env, [setAnnotation]);
    assert.deepEqual(outcome.patch, [
      { op: 'add', path: '/metadata/annotations/x~1y', value: 'z' },
      { op: 'add', path: '/metadata/annotations/meshguard.io~1mutations', value: 'set-annotation' },
    ]);
    assert.deepEqual(outcome.applied, ['set-annotation']);
    assert.deepEqual(object, pod());
    assert.equal(outcome.mutated.spec, object.spec, 'the unowned spec is shared, not copied');
  });
});
