import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { builtinMutators, defaultMutationConfig, mutate } from '../../../src/mutation/index.js';

describe('managedFields', () => {
  it('are kept on the mutated object, left out of the patch, and the patch applies to the object as sent', () => {
    const managedFields = [{ manager: 'kubectl', operation: 'Update', apiVersion: 'security.istio.io/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }];
    const object: KubeObject = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'prod', managedFields }, spec: {} };
    const out = mutate({ operation: 'CREATE', kind: 'PeerAuthentication', namespace: 'prod', object, dryRun: false }, { config: defaultMutationConfig() }, builtinMutators);
    assert.deepEqual(out.patch, [
      { op: 'add', path: '/spec/mtls', value: { mode: 'STRICT' } },
      { op: 'add', path: '/metadata/annotations', value: { 'meshguard.io/mutations': 'mtls-defaults' } },
    ]);
    const applied = jsonpatch.applyPatch(structuredClone(object), out.patch, true, false).newDocument;
    assert.deepEqual(applied, out.mutated);
    assert.deepEqual(out.mutated.metadata?.managedFields, managedFields);
    assert.deepEqual(object.metadata?.annotations, undefined, 'the input is not changed');
  });
});
