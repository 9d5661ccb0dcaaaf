import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Inventory } from '../../../src/inventory/inventory.js';
import type { KubeHttp, WatchEvent } from '../../../src/kube/client.js';
import { Reflector } from '../../../src/kube/reflector.js';
import { collectionPath, RESOURCES, watchScopes, type ServedResource } from '../../../src/kube/resources.js';

const cm = (name: string, mesh: string): Record<string, unknown> =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'istio-system', resourceVersion: '1' }, data: { mesh } });

/**
 * A fake API server for one list and one watch: the list has the mesh ConfigMaps and an unrelated
 * one; the watch delivers `events`, then resolves `delivered` and stays open until aborted.
 */
function fakeHttp(events: WatchEvent[]): { http: KubeHttp; delivered: Promise<void>; paths: string[] } {
  let resolve!: () => void;
  const delivered = new Promise<void>((r) => { resolve = r; });
  const paths: string[] = [];
  const http = {
    async list(path: string, onItems: (items: Record<string, unknown>[], kind: string) => void): Promise<string> {
      paths.push(path);
      onItems([cm('istio', 'trustDomain: a'), cm('kube-root-ca.crt', ''), cm('istio-sidecar-injector', '')], 'ConfigMapList');
      return '1';
    },
    async watch(path: string, _q: unknown, onEvent: (e: WatchEvent) => void, opts: { signal?: AbortSignal }): Promise<void> {
      paths.push(path);
      for (const e of events) onEvent(e);
      resolve();
      await new Promise<void>((done) => opts.signal?.addEventListener('abort', () => done()));
    },
  };
  return { http: http as unknown as KubeHttp, delivered, paths };
}

describe("the cluster view keeps only Istio's mesh config ConfigMaps", () => {
  it('watches ConfigMaps in the Istio root namespace only', () => {
    assert.deepEqual(watchScopes({ secretNamespaces: ['istio-system'], exemptionNamespace: 'meshguard-system', istioRootNamespace: 'istio-config' }).ConfigMap, ['istio-config']);
  });

  it('lists and watches, storing istio and istio-sidecar-injector and dropping every other ConfigMap', async () => {
    const spec = RESOURCES.ConfigMap!;
    const base = { ...spec, version: 'v1', apiVersion: 'v1', path: '' };
    const resource: ServedResource = { ...base, path: collectionPath(base, 'istio-system') };
    const { http, delivered, paths } = fakeHttp([
      { type: 'ADDED', object: cm('other', 'x') },
      { type: 'MODIFIED', object: cm('istio', 'trustDomain: b') },
      { type: 'DELETED', object: cm('istio-sidecar-injector', '') },
    ]);
    const inventory = new Inventory();
    const hooks = { onList: () => {}, onChange: () => {}, onError: () => {}, onWatching: () => {} };
    const reflector = new Reflector(http, resource, inventory, hooks, {}, 'istio-system');
    reflector.start();
    await delivered;
    reflector.stop();
    assert.deepEqual(paths, ['/api/v1/namespaces/istio-system/configmaps', '/api/v1/namespaces/istio-system/configmaps']);
    assert.deepEqual(inventory.list('ConfigMap').map((o) => [o.metadata?.name, (o.data as { mesh: string }).mesh]), [['istio', 'trustDomain: b']]);
  });
});
