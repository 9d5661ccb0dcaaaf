import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { REVIEWS_V1_RULE, admissionReview, bigVirtualService } from '../support/fixtures.js';
import { post, testServer } from '../support/server.js';
import { EXEMPT_DEFAULT, FIX, findingLine } from '../support/messages.js';

const RANGE_FIX = 'Set the proxy resource annotation to a valid quantity within the params `cpuMin`..`cpuMax` (CPU) or `memoryMin`..`memoryMax` (memory), or remove it and let the mutating webhook size the sidecar.';

const THOUSAND_DIGITS = `1${'0'.repeat(999)}`;
const SHOWN_THOUSAND = `"${'1'.padEnd(32, '0')}... (1000 characters)"`;

const VALID = {
  'sidecar.istio.io/proxyCPU': '100m',
  'sidecar.istio.io/proxyCPULimit': '1',
  'sidecar.istio.io/proxyMemory': '128Mi',
  'sidecar.istio.io/proxyMemoryLimit': '1Gi',
};

/** A Pod with all four proxy annotations valid except `key`, set to `value`. */
function pod(key: string, value: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'shop', labels: { 'sidecar.istio.io/inject': 'true' }, annotations: { ...VALID, [key]: value } },
    spec: { containers: [{ name: 'app', image: 'app' }] },
  };
}

/** The values that froze the webhook (or made it answer wrongly) before quantities were bounded. */
const ABUSE: Array<[string, string, string, string]> = [
  ['sidecar.istio.io/proxyMemory', '1e1000', '"1e1000"', '2Gi'],
  ['sidecar.istio.io/proxyCPU', '1e600', '"1e600"', '2'],
  ['sidecar.istio.io/proxyCPU', '1e800', '"1e800"', '2'],
  ['sidecar.istio.io/proxyCPULimit', THOUSAND_DIGITS, SHOWN_THOUSAND, '2'],
];

function validateDenial(uid: string, key: string, shown: string, max: string): unknown {
  return {
    uid, allowed: false,
    status: {
      code: 403, reason: 'Forbidden',
      message: findingLine('pod-proxy-resources-range', `Pod shop/p sets ${key} to ${shown}, which is too large for a quantity (the org maximum is ${max}) (metadata.annotations[${key}]).`, RANGE_FIX),
    },
  };
}

function mutateDenial(uid: string, key: string, shown: string): unknown {
  return {
    uid, allowed: false,
    status: { code: 422, reason: 'Invalid', message: `mutator sidecar-resources: Pod: annotation ${key}: invalid quantity ${shown}: too large (above 9223372036854775807)` },
  };
}

for (const failureMode of ['deny', 'allow'] as const) {
  describe(`abusive quantities and large objects, failureMode ${failureMode}`, () => {
    let server: MeshguardServer;
    before(async () => {
      const inventory = new Inventory();
      inventory.upsert(REVIEWS_V1_RULE);
      server = await testServer({ failureMode }, { inventory });
    });
    after(() => server.close());

    for (const [key, value, shown, max] of ABUSE) {
      const label = value.length > 20 ? `a ${value.length}-digit number` : value;
      it(`/validate answers a Pod with ${key}: ${label} with a denial naming the annotation`, async () => {
        const res = await post(server, '/validate', admissionReview(pod(key, value), { uid: 'q-v', namespace: 'shop' })).expect(200);
        assert.deepEqual(res.body.response, validateDenial('q-v', key, shown, max));
      });

      it(`/mutate answers a Pod with ${key}: ${label} with a 422 denial naming the annotation`, async () => {
        const res = await post(server, '/mutate', admissionReview(pod(key, value), { uid: 'q-m', namespace: 'shop' })).expect(200);
        assert.deepEqual(res.body.response, mutateDenial('q-m', key, shown));
      });
    }

    it('/validate answers an 8,000-route VirtualService with the one finding, then serves the next request', async () => {
      const res = await post(server, '/validate', admissionReview(bigVirtualService(8000, { extra: { retries: { attempts: 2, perTryTimeout: '2s' }, timeout: '10s' } }), { uid: 'q-vs', namespace: 'shop' })).expect(200);
      assert.deepEqual(res.body.response, {
        uid: 'q-vs', allowed: false,
        status: {
          code: 403, reason: 'Forbidden',
          message: findingLine('vs-subset-exists', 'VirtualService shop/big routes to subset missing of host reviews (spec.http[7999].route[0].destination), but no DestinationRule for reviews.shop.svc.cluster.local defines it.', FIX['vs-subset-exists'], EXEMPT_DEFAULT, 'IST0101'),
        },
      });
      const next = admissionReview({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'small', namespace: 'shop' } }, { uid: 'q-next' });
      assert.deepEqual((await post(server, '/validate', next).expect(200)).body.response, { uid: 'q-next', allowed: true });
    });
  });
}
