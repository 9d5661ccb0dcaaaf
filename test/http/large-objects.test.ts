import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { REVIEWS_V1_RULE, admissionReview, bigVirtualService } from '../support/fixtures.js';
import { post, testServer } from '../support/server.js';
import { EXEMPT_DEFAULT, FIX, findingLine } from '../support/messages.js';

describe('large objects are evaluated correctly', () => {
  let server: MeshguardServer;
  before(async () => {
    const inventory = new Inventory();
    inventory.upsert(REVIEWS_V1_RULE);
    server = await testServer({}, { inventory });
  });
  after(() => server.close());

  it('finds the one bad route among 1,000', async () => {
    const res = await post(server, '/validate', admissionReview(bigVirtualService(1000), { uid: 'big-1', namespace: 'shop' })).expect(200);
    assert.equal(res.body.response.allowed, false);
    assert.equal(res.body.response.status.message,
      findingLine('vs-subset-exists', 'VirtualService shop/big routes to subset missing of host reviews (spec.http[999].route[0].destination), but no DestinationRule for reviews.shop.svc.cluster.local defines it.', FIX['vs-subset-exists'], EXEMPT_DEFAULT, 'IST0101'));
  });

  it('evaluates a 1 MiB VirtualService within the default body limit', async () => {
    const review = admissionReview(bigVirtualService(1000, { padding: 1000 }), { uid: 'big-2', namespace: 'shop' });
    const size = Buffer.byteLength(JSON.stringify(review));
    assert.ok(size > 1024 * 1024 && size < 3 * 1024 * 1024, `payload is ${size} bytes`);
    const res = await post(server, '/validate', review).expect(200);
    assert.equal(res.body.response.uid, 'big-2');
    assert.equal(res.body.response.allowed, false);
    assert.match(res.body.response.status.message, /spec\.http\[999\]\.route\[0\]\.destination/);
    const ok = admissionReview({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'small', namespace: 'shop' } }, { uid: 'after' });
    assert.deepEqual((await post(server, '/validate', ok).expect(200)).body.response, { uid: 'after', allowed: true });
  });
});

describe('a Gateway with many servers', () => {
  const gateway = (name: string, ports: number[]): KubeObject => ({
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: 'edge' },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: ports.map((p) => ({ port: { number: p, name: `tcp-${p}`, protocol: 'TCP' }, hosts: [`h${p}.example.com`] })),
    },
  });
  let server: MeshguardServer;
  before(async () => {
    const inventory = new Inventory();
    // Another Gateway of the same workload, as large, meets it on one port only.
    inventory.upsert(gateway('other', [...Array.from({ length: 1999 }, (_, i) => 20000 + i), 11999]));
    server = await testServer({}, { inventory });
  });
  after(() => server.close());

  it('finds the one conflicting server among 2,000 against another Gateway of 2,000', async () => {
    const ports = Array.from({ length: 2000 }, (_, i) => 10000 + i);
    const res = await post(server, '/validate', admissionReview(gateway('big', ports), { uid: 'big-gw', namespace: 'edge' })).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 'big-gw', allowed: false,
      status: {
        code: 403, reason: 'Forbidden',
        message: findingLine('gw-server-conflict', 'Gateway edge/big server spec.servers[1999] conflicts with gateways edge/other (workload selector istio=ingressgateway, port 11999, hosts h11999.example.com) (IST0145).', 'Serve the host from one Gateway, or give the servers different ports or hosts.', EXEMPT_DEFAULT, 'IST0145'),
      },
    });
  });
});
