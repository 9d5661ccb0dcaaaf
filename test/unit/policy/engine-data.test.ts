import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { generatedMesh } from '../../../bench/mesh.js';
import { Inventory } from '../../../src/inventory/inventory.js';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { loadOrgConfig } from '../../../src/org-config.js';
import { readBundle } from '../../../src/policy/bundle.js';
import { RawJSON, inventoryData, planPatches, utf8Document } from '../../../src/policy/engine-data.js';
import { OpaWasmEngine, type EngineData } from '../../../src/policy/engine.js';
import { trimForEngine } from '../../../src/policy/trim.js';
import { EvaluationPool } from '../../../src/policy/pool.js';
import { reviewFor } from '../../../src/policy/offline.js';
import { builtinBundle } from '../../support/paths.js';

/** A VirtualService of namespace shop routing to subset v2 of app-3 (which the mesh defines). */
const vs = generatedMesh(60).find((o) => o.kind === 'VirtualService' && o.metadata?.name === 'app-3') as KubeObject;
const review = reviewFor(vs, 'patch-test', 'UPDATE');

/** The DestinationRule of app-3 without subset v2: the VirtualService then routes to a missing subset. */
function withoutV2(inventory: Inventory): void {
  const dr = structuredClone(inventory.get('DestinationRule', 'shop', 'app-3') as KubeObject);
  (dr.spec as { subsets: Array<{ name: string }> }).subsets = [{ name: 'v1' }];
  inventory.upsert(dr);
}

describe('incremental pushes', () => {
  let config: unknown;
  let bundle: Awaited<ReturnType<typeof readBundle>>;
  const dataOf = (inventory: Inventory): EngineData => ({ config, ...inventoryData(inventory), scopes: inventory.scopes(), meshConfig: {} });
  before(async () => {
    config = (await loadOrgConfig()).raw;
    bundle = await readBundle(builtinBundle);
  });

  it('plans a patch of the changed namespace of the changed kind only, and a whole push when anything else changed', () => {
    const inventory = new Inventory();
    for (const o of generatedMesh(300)) inventory.upsert(o);
    const first = dataOf(inventory);
    withoutV2(inventory);
    const second = dataOf(inventory);
    const patches = planPatches(first, second);
    assert.deepEqual(patches?.map((p) => p.path), [['meshguard', 'inventory', 'DestinationRule', 'shop']]);
    const changed = JSON.parse(new TextDecoder().decode(patches?.[0]?.json ?? new Uint8Array())) as Record<string, KubeObject>;
    assert.deepEqual(Object.keys(changed), inventory.list('DestinationRule', 'shop').map((o) => o.metadata?.name));
    assert.deepEqual(changed['app-3'], JSON.parse(JSON.stringify(trimForEngine('DestinationRule')(inventory.get('DestinationRule', 'shop', 'app-3') as KubeObject))));
    assert.deepEqual(changed['app-3']?.spec, { host: 'app-3.shop.svc.cluster.local', subsets: [{ name: 'v1' }] });
    inventory.remove('VirtualService', 'team-1', 'app-0');
    inventory.upsert({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'new', namespace: 'team-99' }, spec: { hosts: ['new.example.com'] } });
    const third = dataOf(inventory);
    assert.deepEqual(planPatches(second, third)?.map((p) => [p.path.join('.'), p.json === null ? 'removed' : 'set']), [
      ['meshguard.inventory.VirtualService.team-1', 'set'], ['meshguard.inventory.VirtualService.team-99', 'set'], ['meshguard.index.VirtualService', 'set'],
    ]);
    assert.deepEqual(planPatches(second, second), []);
    assert.equal(planPatches(undefined, second), undefined, 'no previous push');
    assert.equal(planPatches(dataOf(new Inventory()), second), undefined, 'a previous push without objects (a cold instance\'s first data)');
    const decode = (patches: ReturnType<typeof planPatches>): unknown => patches?.map((p) => [p.path.join('.'), JSON.parse(new TextDecoder().decode(p.json ?? new Uint8Array()))]);
    assert.deepEqual(decode(planPatches(second, { ...second, config: { rules: {} } })), [['meshguard.config', { rules: {} }]], 'org config changed');
    assert.deepEqual(decode(planPatches(second, { ...second, scopes: { Secret: ['istio-system'] }, meshConfig: undefined })), [['meshguard.inventory_scopes', { Secret: ['istio-system'] }]], 'scopes changed; no mesh config is {} as before');
    assert.deepEqual(decode(planPatches(second, { ...second, meshConfig: { defaultServiceExportTo: ['.'] } })), [['meshguard.meshConfig', { defaultServiceExportTo: ['.'] }]], 'mesh config changed');
    assert.equal(planPatches(second, { ...second, config: undefined }), undefined, 'no org config: a whole push');
    assert.equal(planPatches(second, { ...second, inventory: {} }), undefined, 'not an encoded inventory');
  });

  it('RawJSON takes its text whole, made on demand or emitted in pieces; utf8Document writes the pieces into one buffer of their size', () => {
    const pieces = (emit: (t: string) => void): void => {
      emit('{"name":');
      emit('"café"}');
    };
    assert.deepEqual([new RawJSON('{"a":1}').json, new RawJSON(() => '{"b":2}').json, new RawJSON(pieces).json], ['{"a":1}', '{"b":2}', '{"name":"café"}']);
    const bytes = utf8Document(pieces);
    assert.equal(bytes.byteLength, 16);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(bytes)), { name: 'café' });
  });

  it('a patched engine decides as one loaded with the whole document, also after its reload', async () => {
    const inventory = new Inventory();
    for (const o of generatedMesh(300)) inventory.upsert(o);
    const patched = await OpaWasmEngine.create(bundle, 64);
    patched.setData(dataOf(inventory));
    assert.deepEqual(patched.evaluate(review).filter((v) => v.id === 'vs-subset-exists'), []);
    withoutV2(inventory);
    patched.setData(dataOf(inventory));
    const fresh = await OpaWasmEngine.create(bundle, 64);
    fresh.setData(dataOf(inventory));
    const expected = fresh.evaluate(review);
    assert.deepEqual(expected.filter((v) => v.id === 'vs-subset-exists').map((v) => v.details), [{ field: 'spec.http[0].route[1].destination', host: 'app-3.shop.svc.cluster.local', subset: 'v2' }]);
    assert.deepEqual(patched.evaluate(review), expected);
    // Enough patches to outweigh the document: the engine reloads it with the latest patches.
    for (let i = 0; i < 40; i++) {
      const vsi = structuredClone(inventory.get('VirtualService', 'shop', 'app-4') as KubeObject);
      vsi.metadata = { ...vsi.metadata, resourceVersion: String(2000 + i) };
      inventory.upsert(vsi);
      patched.setData(dataOf(inventory));
    }
    assert.deepEqual(patched.evaluate(review), expected);
    // A namespace left without DestinationRules is removed from the loaded document.
    for (const dr of inventory.list('DestinationRule', 'shop')) inventory.remove('DestinationRule', 'shop', dr.metadata?.name ?? '');
    patched.setData(dataOf(inventory));
    const reloaded = await OpaWasmEngine.create(bundle, 64);
    reloaded.setData(dataOf(inventory));
    const missing = reloaded.evaluate(review);
    assert.deepEqual(missing.filter((v) => v.id === 'vs-subset-exists').map((v) => v.details.subset).sort(), ['v1', 'v2']);
    assert.deepEqual(patched.evaluate(review), missing);
  });

  it('an org config change is a patch, and the patched engine decides as one loaded with the whole document', async () => {
    const inventory = new Inventory();
    for (const o of generatedMesh(300)) inventory.upsert(o);
    withoutV2(inventory);
    const patched = await OpaWasmEngine.create(bundle, 64);
    patched.setData(dataOf(inventory));
    const denied = patched.evaluate(review).filter((v) => v.id === 'vs-subset-exists');
    assert.deepEqual(denied.map((v) => v.enforcement), ['deny']);
    const relaxed: EngineData = { ...dataOf(inventory), config: { ...(config as object), rules: { 'vs-subset-exists': { enforcement: 'warn' } } } };
    assert.deepEqual(planPatches(dataOf(inventory), relaxed)?.map((p) => p.path.join('.')), ['meshguard.config']);
    patched.setData(relaxed);
    const fresh = await OpaWasmEngine.create(bundle, 64);
    fresh.setData(relaxed);
    const expected = fresh.evaluate(review);
    assert.deepEqual(expected.filter((v) => v.id === 'vs-subset-exists').map((v) => v.enforcement), ['warn']);
    assert.deepEqual(patched.evaluate(review), expected);
  });

  it('the pool sends workers the patches and they decide as a freshly loaded engine', async () => {
    const inventory = new Inventory();
    for (const o of generatedMesh(300)) inventory.upsert(o);
    const engine = await OpaWasmEngine.create(bundle, 64);
    const pool = await EvaluationPool.create(engine, { workers: 2, timeoutMs: 5000, queueLimit: 8, memoryMiB: 64, data: dataOf(inventory) });
    try {
      assert.deepEqual((await pool.evaluate(review)).filter((v) => v.id === 'vs-subset-exists'), []);
      withoutV2(inventory);
      pool.setData(dataOf(inventory));
      const fresh = await OpaWasmEngine.create(bundle, 64);
      fresh.setData(dataOf(inventory));
      const expected = fresh.evaluate(review);
      const answers = await Promise.all([pool.evaluate(review), pool.evaluate(review)]);
      assert.deepEqual(answers, [expected, expected]);
      assert.ok(expected.some((v) => v.id === 'vs-subset-exists'));
    } finally {
      await pool.close();
    }
  });
});
