/**
 * Memory of `meshguard serve` holding a large cluster view: starts the e2e environment (no
 * webhooks), measures meshguard's RSS and V8 heap, creates N Istio objects (default 10,000) in the
 * API server, waits until meshguard's inventory holds all of them and the policy engine has its
 * data, and measures again; then restarts meshguard to time a cold sync of N objects.
 *
 *   node dist/test/e2e/inventory-memory.js [count]
 *
 * Prints one JSON object. Not part of `npm run test:e2e` (numbers are reported, never asserted).
 */
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { startHarness } from './harness.js';
import { metricValue, type MeshguardProcess } from './meshguard-process.js';
import { waitFor } from './processes.js';

const count = Number(process.argv[2] ?? 10_000);
const NAMESPACES = 50;
const MiB = 1024 * 1024;

type Maker = (ns: string, i: number) => { group: string; version: string; plural: string; kind: string; spec: Record<string, unknown> };
const makers: Maker[] = [
  (ns, i) => ({ group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService', spec: {
    hosts: [`svc-${i}.${ns}.svc.cluster.local`],
    http: [{ match: [{ uri: { prefix: '/api' } }], route: [{ destination: { host: `svc-${i}`, subset: 'v1' }, weight: 90 }, { destination: { host: `svc-${i}`, subset: 'v2' }, weight: 10 }], timeout: '5s', retries: { attempts: 3, perTryTimeout: '2s' } }],
  } }),
  (ns, i) => ({ group: 'networking.istio.io', version: 'v1', plural: 'destinationrules', kind: 'DestinationRule', spec: {
    host: `svc-${i}.${ns}.svc.cluster.local`, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, connectionPool: { tcp: { maxConnections: 100 } } },
    subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }],
  } }),
  (_ns, i) => ({ group: 'networking.istio.io', version: 'v1', plural: 'serviceentries', kind: 'ServiceEntry', spec: {
    hosts: [`api-${i}.example.com`], location: 'MESH_EXTERNAL', resolution: 'DNS', ports: [{ number: 443, name: 'https', protocol: 'TLS' }],
  } }),
  (_ns, i) => ({ group: 'security.istio.io', version: 'v1', plural: 'authorizationpolicies', kind: 'AuthorizationPolicy', spec: {
    selector: { matchLabels: { app: `svc-${i}` } }, action: 'ALLOW',
    rules: [{ from: [{ source: { principals: [`cluster.local/ns/caller/sa/caller-${i}`] } }], to: [{ operation: { methods: ['GET'], paths: ['/api/*'] } }] }],
  } }),
];

async function memory(mg: MeshguardProcess): Promise<{ rssMiB: number; heapUsedMiB: number; heapTotalMiB: number; inventory: number }> {
  const text = await mg.metrics();
  const inventory = text.split('\n').filter((l) => l.startsWith('meshguard_inventory_objects{')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  const mib = (name: string): number => Math.round(((metricValue(text, name) ?? NaN) / MiB) * 10) / 10;
  return { rssMiB: mib('meshguard_process_resident_memory_bytes'), heapUsedMiB: mib('meshguard_nodejs_heap_size_used_bytes'), heapTotalMiB: mib('meshguard_nodejs_heap_size_total_bytes'), inventory };
}

async function settled(mg: MeshguardProcess): Promise<Awaited<ReturnType<typeof memory>>> {
  await new Promise((r) => setTimeout(r, 5000));
  return memory(mg);
}

const h = await startHarness({ meshguard: false });
try {
  const core = h.kc.makeApiClient(CoreV1Api);
  for (let n = 0; n < NAMESPACES; n++) await core.createNamespace({ body: { metadata: { name: `load-${n}`, labels: { 'istio-injection': 'enabled' } } } });
  let mg = await h.startMeshguard(['--self-check', 'off']);
  const before = await settled(mg);
  const api = h.kc.makeApiClient(CustomObjectsApi);
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const ns = `load-${i % NAMESPACES}`;
      const m = (makers[i % makers.length] as Maker)(ns, i);
      await api.createNamespacedCustomObject({ group: m.group, version: m.version, plural: m.plural, namespace: ns, body: { apiVersion: `${m.group}/${m.version}`, kind: m.kind, metadata: { name: `obj-${i}`, labels: { app: `svc-${i}`, team: `team-${i % 7}` } }, spec: m.spec } });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const createMs = Math.round(performance.now() - t0);
  const baseline = before.inventory;
  await waitFor('inventory filled', async () => ((await memory(mg)).inventory >= baseline + count ? true : undefined), { timeoutMs: 300_000, intervalMs: 500 });
  const watchedMs = Math.round(performance.now() - t0);
  const afterWatch = await settled(mg);
  await mg.stop();
  const t1 = performance.now();
  mg = await h.startMeshguard(['--self-check', 'off']);
  const coldSyncReadyMs = Math.round(performance.now() - t1);
  const afterColdStart = await settled(mg);
  console.log(JSON.stringify({ objects: count, namespaces: NAMESPACES, createMs, allWatchedMs: watchedMs, coldSyncReadyMs, before, afterWatch, afterColdStart }, null, 2));
} finally {
  await h.stop();
}
