import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Inventory } from '../../../src/inventory/inventory.js';
import { KUBERNETES_GATEWAY_KIND } from '../../../src/inventory/kinds.js';
import { KubeApiError, type KubeHttp, type WatchEvent } from '../../../src/kube/client.js';
import { KUBE_READINESS, startInformers } from '../../../src/kube/informers.js';
import { Reflector } from '../../../src/kube/reflector.js';
import { INVENTORY_KINDS, RESOURCES, resolveResources, type ServedResource } from '../../../src/kube/resources.js';
import { Metrics } from '../../../src/metrics.js';
import { Readiness } from '../../../src/readiness.js';

const K8S_API = 'gateway.networking.k8s.io/v1';

/** A Gateway API Gateway as a typed list returns it (no apiVersion, no kind). */
const listed = (name: string): Record<string, unknown> => ({ metadata: { name, namespace: 'infra', resourceVersion: '1', managedFields: [{}] }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] }, status: { conditions: [] } });
const stored = (name: string): Record<string, unknown> => ({ apiVersion: K8S_API, kind: 'Gateway', metadata: { name, namespace: 'infra', resourceVersion: '1' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } });
const istioGateway = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'shared', namespace: 'infra' }, spec: { selector: { istio: 'ingressgateway' } } };

/**
 * A fake API server. Discovery serves only `groups` (the Gateway API group answers 404 unless
 * listed); every list returns `items`; the watch delivers `events`, resolves `delivered` and stays
 * open until aborted.
 */
function fakeHttp(groups: Record<string, string[]>, items: Record<string, unknown>[] = [], events: WatchEvent[] = []): { http: KubeHttp; delivered: Promise<void> } {
  let resolve!: () => void;
  const delivered = new Promise<void>((r) => { resolve = r; });
  const http = {
    server: 'https://fake',
    async get(path: string): Promise<unknown> {
      const gv = path === '/api/v1' ? 'v1' : path.replace(/^\/apis\//, '');
      const plurals = groups[gv];
      if (!plurals) throw new KubeApiError(404, 'NotFound', `${path}: the server could not find the requested resource`);
      return { resources: plurals.map((name) => ({ name })) };
    },
    async list(_path: string, onItems: (items: Record<string, unknown>[], kind: string) => void): Promise<string> {
      onItems(items, 'List');
      return '1';
    },
    async watch(_path: string, _q: unknown, onEvent: (e: WatchEvent) => void, opts: { signal?: AbortSignal }): Promise<void> {
      for (const e of events) onEvent(e);
      resolve();
      await new Promise<void>((done) => opts.signal?.addEventListener('abort', () => done()));
    },
  };
  return { http: http as unknown as KubeHttp, delivered };
}

describe('Kubernetes Gateways (gateway.networking.k8s.io) in the cluster view', () => {
  it('are an inventory kind, watched at gateway.networking.k8s.io/v1', () => {
    assert.ok(INVENTORY_KINDS.includes(KUBERNETES_GATEWAY_KIND));
    assert.deepEqual(RESOURCES[KUBERNETES_GATEWAY_KIND], {
      kind: 'KubernetesGateway', apiKind: 'Gateway', group: 'gateway.networking.k8s.io', versions: ['v1'], plural: 'gateways', namespaced: true,
    });
  });

  it('are stored as Gateways of their API under KubernetesGateway, beside an Istio Gateway of the same name', async () => {
    const base = { ...RESOURCES[KUBERNETES_GATEWAY_KIND]!, version: 'v1', apiVersion: K8S_API, path: '/apis/gateway.networking.k8s.io/v1/gateways' };
    const resource: ServedResource = base;
    const { http, delivered } = fakeHttp({}, [listed('shared'), listed('gone')], [
      { type: 'ADDED', object: listed('later') },
      { type: 'DELETED', object: listed('gone') },
    ]);
    const inventory = new Inventory();
    inventory.upsert(istioGateway);
    const reflector = new Reflector(http, resource, inventory, { onList: () => {}, onChange: () => {}, onError: () => {}, onWatching: () => {} });
    reflector.start();
    await delivered;
    reflector.stop();
    assert.deepEqual(inventory.toJSON(), {
      Gateway: { infra: { shared: istioGateway } },
      KubernetesGateway: { infra: { shared: stored('shared'), later: stored('later') } },
    });
  });

  it('given as files, go to KubernetesGateway too: the two Gateways of one name never replace each other', () => {
    const inventory = new Inventory();
    inventory.upsert(stored('shared'));
    inventory.upsert(istioGateway);
    assert.deepEqual(inventory.get('Gateway', 'infra', 'shared'), istioGateway);
    assert.deepEqual(inventory.get(KUBERNETES_GATEWAY_KIND, 'infra', 'shared'), stored('shared'));
  });

  it('without the Gateway API CRDs are "not served": looked up again later, and readiness does not wait for them', async () => {
    const groups = { v1: ['services'] };
    const { http } = fakeHttp(groups);
    const specs = [RESOURCES.Service!, RESOURCES[KUBERNETES_GATEWAY_KIND]!];
    const resolved = await resolveResources(http, specs);
    assert.deepEqual(resolved.served.map((r) => r.kind), ['Service']);
    assert.deepEqual(resolved.missing, [RESOURCES[KUBERNETES_GATEWAY_KIND]]);

    const inventory = new Inventory();
    const readiness = new Readiness();
    const informers = startInformers({
      http, inventory, metrics: new Metrics(false), readiness, log: pino({ level: 'silent' }), kinds: ['Service', KUBERNETES_GATEWAY_KIND],
    });
    await informers.synced;
    informers.stop();
    assert.deepEqual(informers.status(), { watching: ['Service'], notServed: [KUBERNETES_GATEWAY_KIND], pending: [], errors: {} });
    assert.deepEqual(readiness.report().checks[KUBE_READINESS], {
      ok: true, detail: '1 informers synced with https://fake; not served by the API server (not watched): KubernetesGateway',
    });
    assert.equal(inventory.knows(KUBERNETES_GATEWAY_KIND), false);
  });
});
