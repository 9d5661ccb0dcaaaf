import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { admissionReview } from '../support/fixtures.js';
import { post, testServer } from '../support/server.js';
import { FIX, findingLine } from '../support/messages.js';

const REFERRERS = 5000;

const rule: KubeObject = {
  apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'prod' },
  spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
};

/** Thousands of referrers: the answer names five and counts the rest, whatever the cluster holds. */
describe('a deletion with thousands of referrers', () => {
  let server: MeshguardServer;
  before(async () => {
    const inventory = new Inventory();
    inventory.upsert(rule);
    for (let i = 0; i < REFERRERS; i++) {
      const name = `vs-${String(i).padStart(4, '0')}`;
      inventory.upsert({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'prod' }, spec: { hosts: [name], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] } });
    }
    server = await testServer({}, { inventory });
  });
  after(() => server.close());

  it('is refused with a message that names the first five referrers and counts the others', async () => {
    const res = await post(server, '/validate', admissionReview(rule, { uid: 'many', operation: 'DELETE' })).expect(200);
    const named = [0, 1, 2, 3, 4].map((i) => `VirtualService prod/vs-000${i} (spec.http[0].route[0].destination)`).join(', ');
    assert.deepEqual(res.body.response, {
      uid: 'many', allowed: false,
      status: {
        code: 403, reason: 'Forbidden',
        message: findingLine('dr-subset-in-use', `DestinationRule prod/reviews is deleted, but subset v1 of host reviews.prod.svc.cluster.local is still referenced by ${named} and ${REFERRERS - 5} more.`, FIX['dr-subset-in-use'], undefined, 'IST0101'),
      },
    });
  });
});
