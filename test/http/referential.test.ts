import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { admissionReview } from '../support/fixtures.js';
import { FIX, findingLine } from '../support/messages.js';
import { post, testServer } from '../support/server.js';

const rule: KubeObject = {
  apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews', namespace: 'prod' },
  spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }] },
};

function virtualService(name: string, subset: string): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'prod' },
    spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset } }] }] },
  };
}

const gateway: KubeObject = {
  apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'shop', namespace: 'prod' },
  spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'SIMPLE', credentialName: 'shop-cert' } }] },
};
const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'shop-cert', namespace: 'prod' }, type: 'kubernetes.io/tls' } as KubeObject;

/** A dr-subset-in-use finding line. */
const line = (text: string) => findingLine('dr-subset-in-use', text, FIX['dr-subset-in-use'], undefined, 'IST0101');

/** DELETE and UPDATE of referenced objects through the real server: the AdmissionReview carries oldObject. */
describe('POST /validate for changes and deletions of referenced objects', () => {
  let server: MeshguardServer;
  before(async () => {
    const inventory = new Inventory();
    for (const o of [rule, virtualService('reviews', 'v1'), virtualService('reviews-next', 'v2'), gateway, secret]) inventory.upsert(o);
    server = await testServer({}, { inventory });
  });
  after(() => server.close());

  it('refuses deleting a DestinationRule whose subsets VirtualServices route to, naming each of them', async () => {
    const res = await post(server, '/validate', admissionReview(rule, { uid: 'd-1', operation: 'DELETE' })).expect(200);
    const referrer = (name: string) => `VirtualService prod/${name} (spec.http[0].route[0].destination)`;
    assert.deepEqual(res.body.response, {
      uid: 'd-1', allowed: false,
      status: {
        code: 403, reason: 'Forbidden',
        message: '1 meshguard rule denied DestinationRule prod/reviews:\n'
          + `${line(`DestinationRule prod/reviews is deleted, but subset v1 of host reviews.prod.svc.cluster.local is still referenced by ${referrer('reviews')}.`)}\n`
          + line(`DestinationRule prod/reviews is deleted, but subset v2 of host reviews.prod.svc.cluster.local is still referenced by ${referrer('reviews-next')}.`),
      },
    });
  });

  it('refuses an UPDATE that removes a routed subset, and admits one that keeps it', async () => {
    const removing = admissionReview({ ...rule, spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] } }, { uid: 'u-1', operation: 'UPDATE' });
    removing.request!.oldObject = rule;
    const res = await post(server, '/validate', removing).expect(200);
    assert.equal(res.body.response.status.message,
      line('DestinationRule prod/reviews no longer defines subset v2, but subset v2 of host reviews.prod.svc.cluster.local is still referenced by VirtualService prod/reviews-next (spec.http[0].route[0].destination).'));
    const keeping = admissionReview({ ...rule, metadata: { ...rule.metadata, labels: { team: 'a' } } }, { uid: 'u-2', operation: 'UPDATE' });
    keeping.request!.oldObject = rule;
    assert.deepEqual((await post(server, '/validate', keeping).expect(200)).body.response, { uid: 'u-2', allowed: true });
  });

  it('warns (and admits) deleting a Secret a Gateway serves its certificate from', async () => {
    const res = await post(server, '/validate', admissionReview(secret, { uid: 's-1', operation: 'DELETE' })).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 's-1', allowed: true,
      warnings: [findingLine('gw-credential-in-use', 'Secret prod/shop-cert is deleted, but TLS credential prod/shop-cert is still referenced by Gateway prod/shop (spec.servers[0].tls.credentialName).', FIX['gw-credential-in-use'], undefined, 'IST0101')],
    });
  });

  it('admits deleting an object nothing refers to, and a DELETE that carries no oldObject', async () => {
    const unused = { ...rule, metadata: { name: 'unused', namespace: 'prod' }, spec: { host: 'ratings', subsets: [{ name: 'v1', labels: { version: 'v1' } }] } };
    assert.deepEqual((await post(server, '/validate', admissionReview(unused, { uid: 'd-2', operation: 'DELETE' })).expect(200)).body.response, { uid: 'd-2', allowed: true });
    const bare = admissionReview(rule, { uid: 'd-3', operation: 'DELETE' });
    delete bare.request!.oldObject;
    assert.deepEqual((await post(server, '/validate', bare).expect(200)).body.response, { uid: 'd-3', allowed: true });
  });
});
