import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Inventory } from '../../../src/inventory/inventory.js';

describe('Inventory.replaceKind and count', () => {
  it('replaces every object of a kind with one change, declaring it even when empty', () => {
    const inv = new Inventory();
    inv.upsert({ kind: 'Service', metadata: { name: 'old', namespace: 'a' } });
    inv.upsert({ kind: 'Namespace', metadata: { name: 'a' } });
    let changes = 0;
    inv.onChange(() => changes++);
    inv.replaceKind('Service', [
      { kind: 'Service', metadata: { name: 'x', namespace: 'a' } },
      { kind: 'Service', metadata: { name: 'y', namespace: 'b' } },
      { kind: 'Service', metadata: {} },
    ]);
    assert.equal(changes, 1);
    assert.deepEqual(inv.toJSON(), {
      Service: { a: { x: { kind: 'Service', metadata: { name: 'x', namespace: 'a' } } }, b: { y: { kind: 'Service', metadata: { name: 'y', namespace: 'b' } } } },
      Namespace: { '': { a: { kind: 'Namespace', metadata: { name: 'a' } } } },
    });
    assert.equal(inv.count('Service'), 2);
    assert.equal(inv.count('Namespace'), 1);
    assert.equal(inv.count('Gateway'), 0);
    inv.replaceKind('Gateway', []);
    assert.equal(inv.knows('Gateway'), true);
    assert.equal(inv.count('Gateway'), 0);
  });
});

describe('Inventory.replaceNamespace and scopes', () => {
  it('replaces one namespace of a kind, keeps the others, and records the watched namespaces', () => {
    const inv = new Inventory();
    const secret = (ns: string, name: string) => ({ kind: 'Secret', metadata: { name, namespace: ns } });
    inv.replaceNamespace('Secret', 'istio-system', [secret('istio-system', 'a')]);
    inv.replaceNamespace('Secret', 'edge', [secret('edge', 'b')]);
    inv.replaceNamespace('Secret', 'istio-system', [secret('istio-system', 'c')]);
    assert.deepEqual(inv.toJSON(), { Secret: { 'istio-system': { c: secret('istio-system', 'c') }, edge: { b: secret('edge', 'b') } } });
    inv.replaceNamespace('Secret', 'edge', []);
    assert.deepEqual(inv.toJSON(), { Secret: { 'istio-system': { c: secret('istio-system', 'c') } } });
    assert.deepEqual(inv.scopes(), {});
    inv.scopeKind('Secret', ['istio-system', 'edge']);
    assert.deepEqual(inv.scopes(), { Secret: ['istio-system', 'edge'] });
  });
});
