import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Inventory } from '../../src/inventory/inventory.js';
import type { MeshguardServer } from '../../src/server.js';
import { REVIEWS_V1_RULE, admissionReview, bigVirtualService } from '../support/fixtures.js';
import { post, testServer } from '../support/server.js';

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
      'meshguard denied the request: [vs-subset-exists] VirtualService shop/big routes to subset missing of host reviews (spec.http[999].route[0].destination), but no DestinationRule for reviews.shop.svc.cluster.local defines it');
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
