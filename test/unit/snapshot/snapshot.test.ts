import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config.js';
import { Inventory } from '../../../src/inventory/inventory.js';
import { gunzipSync, gzipSync } from 'node:zlib';
import { inventoryData } from '../../../src/policy/engine-data.js';
import { decodeSnapshot, encodeSnapshot, loadSnapshot, sha256 } from '../../../src/snapshot/format.js';
import { parseTarget } from '../../../src/snapshot/store.js';
import { generatedMesh } from '../../../bench/mesh.js';

describe('snapshot artifact', () => {
  it('round-trips the inventory the engine is given: objects, declared empty kinds, scopes, inventory kinds', async () => {
    const source = new Inventory();
    source.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    source.upsert({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'waypoint', namespace: 'shop' }, spec: { gatewayClassName: 'istio-waypoint' } });
    source.declareKind('DestinationRule');
    source.scopeKind('Secret', ['istio-system']);
    source.replaceNamespace('Secret', 'istio-system', [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert', namespace: 'istio-system' } }]);
    const { bytes, header } = await encodeSnapshot(source, new Date('2026-01-01T00:00:00Z'));
    assert.deepEqual({ ...header, digest: header.digest.slice(0, 7) }, { format: 'meshguard.io/cluster-snapshot', version: 2, createdAt: '2026-01-01T00:00:00.000Z', digest: 'sha256:', objects: 3 });
    const target = new Inventory();
    target.upsert({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'stale', namespace: 'old' } });
    loadSnapshot(target, await decodeSnapshot(bytes, 'unit'));
    assert.deepEqual(target.toJSON(), { ...source.toJSON(), VirtualService: {} });
    assert.deepEqual(target.scopes(), { Secret: ['istio-system'] });
    assert.deepEqual(target.kinds().sort(), ['DestinationRule', 'KubernetesGateway', 'Namespace', 'Secret', 'VirtualService']);
  });

  it('holds objects as the engine gets them: workloads with their identity and pod labels, no object with its server bookkeeping', async () => {
    const source = new Inventory();
    source.upsert({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', uid: 'u-1', resourceVersion: '7', labels: { app: 'web' } },
      spec: { replicas: 3, template: { metadata: { labels: { app: 'web', version: 'v1' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
    });
    source.upsert({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop', uid: 'u-2', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { ports: [{ port: 80 }] } });
    const target = new Inventory();
    loadSnapshot(target, await decodeSnapshot((await encodeSnapshot(source)).bytes, 'unit'));
    assert.deepEqual(target.toJSON(), {
      Deployment: { shop: { web: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { template: { metadata: { labels: { app: 'web', version: 'v1' } } } } } } },
      Service: { shop: { web: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } } } },
    });
  });

  it('carries the engine\'s text of its objects: a loaded snapshot encodes for the engine exactly as its objects would; version 1 (objects only) is still read', async () => {
    const source = new Inventory();
    for (const o of generatedMesh(60)) source.upsert(o);
    source.upsert({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system', uid: 'u-3', labels: { app: 'istiod' } }, data: { mesh: 'defaultConfig: {}' } });
    source.upsert({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert', namespace: 'istio-system', resourceVersion: '4' }, type: 'kubernetes.io/tls' });
    source.declareKind('WorkloadEntry');
    const { bytes } = await encodeSnapshot(source);
    const snapshot = await decodeSnapshot(bytes, 'unit');
    assert.deepEqual([...(snapshot.engineText?.keys() ?? [])].sort(), source.kinds().sort());
    const primed = new Inventory();
    loadSnapshot(primed, snapshot);
    // The same objects loaded without the text: encoded from the objects.
    const raw = gunzipSync(bytes);
    const newline = raw.indexOf(10);
    const { inventory, scopes } = JSON.parse(raw.subarray(newline + 1).toString()) as { inventory: unknown; scopes: unknown };
    const payload = Buffer.from(JSON.stringify({ inventory, scopes }));
    const header = { ...JSON.parse(raw.subarray(0, newline).toString()) as object, version: 1, digest: sha256(payload) };
    const v1 = await decodeSnapshot(gzipSync(Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), payload])), 'v1');
    assert.equal(v1.engineText, undefined);
    const plain = new Inventory();
    loadSnapshot(plain, v1);
    assert.deepEqual(primed.toJSON(), plain.toJSON());
    const [a, b] = [inventoryData(primed), inventoryData(plain)];
    assert.equal(a.inventory.json, b.inventory.json);
    assert.equal(a.index.json, b.index.json);
    assert.ok(a.inventory.json.includes('"VirtualService"'));
    // The text is what the engine is given (not made again from the objects).
    const marked = await decodeSnapshot(bytes, 'unit');
    const [ns] = [...(marked.engineText?.get('VirtualService')?.namespaces.keys() ?? [])];
    (marked.engineText?.get('VirtualService')?.namespaces as Map<string, string>).set(ns as string, '{"marker":{}}');
    const taken = new Inventory();
    loadSnapshot(taken, marked);
    assert.ok(inventoryData(taken).inventory.json.includes(`${JSON.stringify(ns)}:{"marker":{}}`));
  });

  it('targets: ConfigMap, Secret, URL or file; a malformed object target is a configuration error', () => {
    assert.deepEqual(parseTarget('configmap:meshguard-system/snap'), { type: 'configmap', namespace: 'meshguard-system', name: 'snap' });
    assert.deepEqual(parseTarget('secret:ns/s.1'), { type: 'secret', namespace: 'ns', name: 's.1' });
    assert.deepEqual(parseTarget('https://b.example.com/s.gz?sig=x'), { type: 'url', url: 'https://b.example.com/s.gz?sig=x' });
    assert.deepEqual(parseTarget('./snap.gz'), { type: 'file', path: './snap.gz' });
    assert.throws(() => parseTarget('configmap:Bad/x'), { code: 'MG_ERR_CONFIG_INVALID', message: 'snapshot target "configmap:Bad/x" must be configmap:<namespace>/<name> or secret:<namespace>/<name>' });
  });

  it('settings: snapshotOutput and snapshotInterval go together, and the target is checked at start', () => {
    assert.throws(() => loadConfig({ snapshotOutput: 'configmap:a/b' }, {}), { message: 'invalid configuration: snapshotOutput and snapshotInterval (above 0) must be set together' });
    assert.throws(() => loadConfig({ snapshotInterval: 60 }, {}), { message: 'invalid configuration: snapshotOutput and snapshotInterval (above 0) must be set together' });
    assert.throws(() => loadConfig({ snapshotOutput: 'secret:a', snapshotInterval: 60 }, {}), { code: 'MG_ERR_CONFIG_INVALID' });
    const config = loadConfig({}, { MESHGUARD_SNAPSHOT_OUTPUT: 'configmap:meshguard-system/snap', MESHGUARD_SNAPSHOT_INTERVAL: '60', MESHGUARD_SNAPSHOT_MAX_AGE_SECONDS: '120' });
    assert.deepEqual([config.snapshot, config.snapshotOutput, config.snapshotInterval, config.snapshotMaxAgeSeconds, config.snapshotRefreshSeconds], [undefined, 'configmap:meshguard-system/snap', 60, 120, 30]);
  });
});

describe('scheduled snapshot writer (snapshotOutput)', () => {
  it('writes the inventory once the informers have synced, and counts a failed write', async () => {
    const { mkdtemp, readFile } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { pino } = await import('pino');
    const { Metrics } = await import('../../../src/metrics.js');
    const { KubeHttp } = await import('../../../src/kube/client.js');
    const { KubeConfig } = await import('@kubernetes/client-node');
    const { startSnapshotWriter } = await import('../../../src/snapshot/schedule.js');
    const inventory = new Inventory();
    inventory.upsert({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    const metrics = new Metrics(false);
    const log = pino({ level: 'silent' }) as unknown as Parameters<typeof startSnapshotWriter>[0]['log'];
    const http = new KubeHttp(new KubeConfig());
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'meshguard-writer-')), 'snap.gz');
    const ok = startSnapshotWriter({ output: file, intervalSeconds: 3600, inventory, http, metrics, log, synced: Promise.resolve() });
    await ok.first;
    ok.stop();
    const written = await decodeSnapshot(await readFile(file), 'written');
    assert.deepEqual(written.payload.inventory, inventory.toJSON());
    const bad = startSnapshotWriter({ output: path.join(file, 'not-a-dir', 'x.gz'), intervalSeconds: 3600, inventory, http, metrics, log, synced: Promise.resolve() });
    await bad.first;
    bad.stop();
    const text = await metrics.registry.metrics();
    assert.match(text, /^meshguard_snapshot_writes_total\{result="success"\} 1$/m);
    assert.match(text, /^meshguard_snapshot_writes_total\{result="failure"\} 1$/m);
  });
});
