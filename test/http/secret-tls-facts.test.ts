import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import { secretSpec } from '../../src/kube/resources.js';
import { stripObject } from '../../src/kube/strip.js';
import { startTlsExpiry } from '../../src/kube/tls-expiry.js';
import type { MeshguardServer } from '../../src/server.js';
import { admissionReview, credentialSampleSecret } from '../support/fixtures.js';
import { post, testServer } from '../support/server.js';
import { EXEMPT_DEFAULT, findingLine } from '../support/messages.js';

async function sampleSecret(file: string, name: string): Promise<KubeObject> {
  const secret = await credentialSampleSecret(file);
  return { ...secret, metadata: { ...secret.metadata, name } };
}

const gateway = (name: string, credentialName: string): KubeObject => ({
  apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: 'istio-ingress' },
  spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['example.com'], tls: { mode: 'SIMPLE', credentialName } }] },
});

const message = (gw: string, secret: string, problem: string): string => findingLine('gw-credential-invalid',
  `Gateway istio-ingress/${gw} server spec.servers[0] uses TLS credential ${secret}, but Secret istio-ingress/${secret} is not a usable credential: ${problem} (The credential referenced by the Gateway ${gw} in namespace istio-ingress is invalid).`,
  'Put a valid, unexpired certificate and its key in the Secret under `tls.crt`/`tls.key` (or `cert`/`key`), or point credentialName at a Secret that has them.', EXEMPT_DEFAULT, 'IST0161');

// Secrets as the cluster view keeps them with secretTlsFacts on: each raw Secret (data included,
// as the API server sends it) goes through the reflector's strip step into the inventory, and the
// real buildServer() judges Gateways against them.
describe('gw-credential-invalid (IST0161) in the cluster view, secretTlsFacts on, through POST /validate', () => {
  let server: MeshguardServer;
  let raw: KubeObject[];
  const inventory = new Inventory();
  const spec = { ...secretSpec({ secretTlsFacts: 'on' }), apiVersion: 'v1' };
  before(async () => {
    raw = [await sampleSecret('allowed/valid-certificate.yaml', 'good-cert'), await sampleSecret('denied/expired-certificate.yaml', 'old-cert')];
    inventory.declareKind('Secret');
    for (const secret of raw) inventory.upsert(stripObject(secret, spec), 'Secret');
    server = await testServer({}, { inventory });
    server.services.policy.pushNow();
  });
  after(() => server.close());

  it('no data or key material reaches the inventory the engine is given', () => {
    const pushed = JSON.stringify(inventory.toJSON());
    for (const secret of raw) {
      for (const value of Object.values(secret.data as Record<string, string>)) {
        assert.ok(!pushed.includes(value), 'no base64 data');
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        for (const line of decoded.split('\n').filter((l) => l.length > 20)) assert.ok(!pushed.includes(line), 'no decoded data');
      }
    }
    assert.deepEqual(Object.keys(inventory.get('Secret', 'istio-ingress', 'old-cert') ?? {}).sort(), ['apiVersion', 'kind', 'metadata', 'tlsFacts']);
  });

  it('denies a Gateway whose credential holds an expired certificate', async () => {
    const res = await post(server, '/validate', admissionReview(gateway('old', 'old-cert'), { uid: 't-1', namespace: 'istio-ingress' })).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 't-1', allowed: false,
      status: { code: 403, reason: 'Forbidden', message: message('old', 'old-cert', 'the certificate expired at 2021-01-01T00:00:00.000Z') },
    });
  });

  it('admits a Gateway whose credential holds a valid certificate', async () => {
    const res = await post(server, '/validate', admissionReview(gateway('good', 'good-cert'), { uid: 't-2', namespace: 'istio-ingress' })).expect(200);
    assert.deepEqual(res.body.response, { uid: 't-2', allowed: true });
  });

  it('denies the valid credential once its certificate has expired, with no change in the cluster', async () => {
    const notAfter = (inventory.get('Secret', 'istio-ingress', 'good-cert')?.tlsFacts as { notAfter: string }).notAfter;
    const expiry = startTlsExpiry(inventory, () => new Date(Date.parse(notAfter) + 1000));
    try {
      expiry.refresh();
      server.services.policy.pushNow();
      const res = await post(server, '/validate', admissionReview(gateway('good', 'good-cert'), { uid: 't-3', namespace: 'istio-ingress' })).expect(200);
      assert.deepEqual(res.body.response, {
        uid: 't-3', allowed: false,
        status: { code: 403, reason: 'Forbidden', message: message('good', 'good-cert', `the certificate expired at ${notAfter}`) },
      });
    } finally {
      expiry.stop();
    }
  });
});
