import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Inventory } from '../../../src/inventory/inventory.js';
import type { EngineData, PolicyEngine } from '../../../src/policy/engine.js';
import { RawJSON } from '../../../src/policy/engine-data.js';
import { checkObjects, OFFLINE_KNOWN_KINDS } from '../../../src/policy/offline.js';
import { loadOrgConfig } from '../../../src/org-config.js';

/** A recording engine: what data did checkObjects hand it? (a fake, for this unit only) */
class RecordingEngine implements PolicyEngine {
  readonly version = 'test';
  readonly catalog = {};
  data: EngineData | undefined;
  evaluate(): [] {
    return [];
  }
  setData(data: EngineData): void {
    this.data = data;
  }

  /** The inventory as the engine would parse it (checkObjects hands it over encoded). */
  inventory(): Record<string, Record<string, Record<string, unknown>>> {
    assert.ok(this.data?.inventory instanceof RawJSON, 'the inventory is handed over as JSON text');
    return JSON.parse(this.data.inventory.json) as Record<string, Record<string, Record<string, unknown>>>;
  }
}

describe('checkObjects inventory', () => {
  it('treats the Istio kinds as known offline, and keeps the known-but-empty kinds of a given inventory', async () => {
    const engine = new RecordingEngine();
    const cluster = new Inventory();
    cluster.declareKind('Secret');
    cluster.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod' } });
    const inputs = [{ file: 'f.yaml', line: 1, object: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'vs' } } }];
    checkObjects(engine, await loadOrgConfig(), inputs, { namespace: 'prod', inventory: cluster });
    const inv = engine.inventory();
    assert.deepEqual(Object.keys(inv).sort(), [...new Set([...OFFLINE_KNOWN_KINDS, 'Secret', 'Namespace'])].sort());
    assert.deepEqual(inv.Secret, {});
    assert.deepEqual(Object.keys(inv.VirtualService?.prod ?? {}), ['vs'], 'the checked object is in the inventory, in the default namespace');

    checkObjects(engine, await loadOrgConfig(), inputs, { namespace: 'prod', knownKinds: [] });
    assert.deepEqual(Object.keys(engine.inventory()), ['VirtualService']);
  });

  it('hands a given Secret to the engine as metadata and TLS facts, never its data', async () => {
    const engine = new RecordingEngine();
    const secret = {
      apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'cert', namespace: 'gw' },
      data: { 'tls.crt': Buffer.from('not a certificate').toString('base64'), 'tls.key': Buffer.from('secret key').toString('base64') },
    };
    checkObjects(engine, await loadOrgConfig(), [{ file: 'f.yaml', line: 1, object: secret }], { namespace: 'prod', now: new Date('2027-01-01T00:00:00Z') });
    const inv = engine.inventory();
    assert.deepEqual(inv.Secret, { gw: { cert: {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert', namespace: 'gw' },
      tlsFacts: { valid: false, problem: 'the certificate is not PEM' },
    } } });
  });
});
