import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { bundleTrusts, compareConfigurations, expectedCa, isManaged, parseCertificates, type WebhookConfiguration } from '../../../src/kube/webhook-drift.js';
import { makeCa, makeLeaf, type Pem } from '../../e2e/pki.js';

const b64 = (pem: string): string => Buffer.from(pem).toString('base64');

function config(kind: WebhookConfiguration['kind'], name: string, bundles: Array<string | undefined>): WebhookConfiguration {
  return {
    kind, metadata: { name, labels: { 'meshguard.io/managed': 'true' }, resourceVersion: '7' },
    webhooks: bundles.map((caBundle, i) => ({ name: `w${i}.meshguard.io`, clientConfig: { url: 'https://127.0.0.1:1/validate', ...(caBundle === undefined ? {} : { caBundle }) } })),
  };
}

describe('webhook configuration drift', () => {
  let ca: Pem;
  let otherCa: Pem;
  let leaf: Pem;
  let selfSigned: Pem;
  before(async () => {
    [ca, otherCa] = await Promise.all([makeCa('e2e-ca'), makeCa('other-ca')]);
    [leaf, selfSigned] = await Promise.all([
      makeLeaf({ cn: 'meshguard', ca, server: { dns: ['localhost'], ips: ['127.0.0.1'] } }),
      makeLeaf({ cn: 'meshguard', server: { dns: ['localhost'], ips: [] } }),
    ]);
  });

  it('trusts the issuing CA and a self-signed leaf itself, not an unrelated CA', () => {
    const chain = parseCertificates(leaf.cert);
    assert.equal(bundleTrusts(parseCertificates(ca.cert), chain), true);
    assert.equal(bundleTrusts(parseCertificates(otherCa.cert + ca.cert), chain), true);
    assert.equal(bundleTrusts(parseCertificates(otherCa.cert), chain), false);
    assert.equal(bundleTrusts(parseCertificates(selfSigned.cert), parseCertificates(selfSigned.cert)), true);
  });

  it('knows the CA to patch in from ca.crt, a self-signed leaf, or a root in the chain', () => {
    assert.equal(expectedCa(leaf.cert, ca.cert), parseCertificates(ca.cert)[0]?.toString());
    assert.equal(expectedCa(leaf.cert), undefined, 'a CA-signed leaf alone does not say which CA');
    assert.equal(expectedCa(leaf.cert, otherCa.cert), undefined, 'a ca.crt that did not sign the leaf is ignored');
    assert.equal(expectedCa(leaf.cert + ca.cert), parseCertificates(ca.cert)[0]?.toString());
    assert.equal(expectedCa(selfSigned.cert), parseCertificates(selfSigned.cert)[0]?.toString());
  });

  it('reports no drift when every webhook trusts the serving certificate', () => {
    const found = [config('MutatingWebhookConfiguration', '0-meshguard-mutating', [b64(ca.cert)]), config('ValidatingWebhookConfiguration', 'meshguard-validating', [b64(ca.cert), b64(otherCa.cert + ca.cert)])];
    assert.deepEqual(compareConfigurations(found, leaf.cert, { webhookName: 'meshguard', caPem: ca.cert }), {
      drifts: [], patches: [], checked: ['0-meshguard-mutating', 'meshguard-validating'],
    });
  });

  it('reports a missing configuration, an empty, a wrong and a garbage caBundle, and patches only caBundle', () => {
    const found = [config('ValidatingWebhookConfiguration', 'meshguard-validating', [undefined, b64(otherCa.cert), b64('not a pem'), b64(ca.cert)])];
    const result = compareConfigurations(found, leaf.cert, { webhookName: 'meshguard', caPem: ca.cert });
    const caB64 = b64(ca.cert);
    assert.deepEqual(result, {
      drifts: [
        { configuration: 'meshguard*', problem: 'no MutatingWebhookConfiguration labelled meshguard.io/managed=true with "meshguard" in its name' },
        { configuration: 'meshguard-validating', webhook: 'w0.meshguard.io', problem: 'caBundle is empty' },
        { configuration: 'meshguard-validating', webhook: 'w1.meshguard.io', problem: 'caBundle does not trust the serving certificate' },
        { configuration: 'meshguard-validating', webhook: 'w2.meshguard.io', problem: 'caBundle holds no PEM certificate' },
      ],
      patches: [{
        kind: 'ValidatingWebhookConfiguration', name: 'meshguard-validating',
        ops: [
          { op: 'test', path: '/metadata/resourceVersion', value: '7' },
          { op: 'test', path: '/webhooks/0/name', value: 'w0.meshguard.io' },
          { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: caB64 },
          { op: 'test', path: '/webhooks/1/name', value: 'w1.meshguard.io' },
          { op: 'replace', path: '/webhooks/1/clientConfig/caBundle', value: caB64 },
          { op: 'test', path: '/webhooks/2/name', value: 'w2.meshguard.io' },
          { op: 'replace', path: '/webhooks/2/clientConfig/caBundle', value: caB64 },
        ],
      }],
      checked: ['meshguard-validating'],
    });
  });

  it('offers no patch when the CA is unknown', () => {
    const found = [config('MutatingWebhookConfiguration', 'meshguard-m', [b64(otherCa.cert)]), config('ValidatingWebhookConfiguration', 'meshguard-v', [b64(ca.cert)])];
    const result = compareConfigurations(found, leaf.cert, { webhookName: 'meshguard' });
    assert.deepEqual(result.patches, []);
    assert.deepEqual(result.drifts, [{ configuration: 'meshguard-m', webhook: 'w0.meshguard.io', problem: 'caBundle does not trust the serving certificate' }]);
  });

  it('looks only at configurations labelled managed whose name contains webhookName', () => {
    const managed = config('MutatingWebhookConfiguration', '0-meshguard-mutating', []);
    assert.equal(isManaged(managed, 'meshguard'), true);
    assert.equal(isManaged(managed, 'other'), false);
    assert.equal(isManaged({ ...managed, metadata: { name: '0-meshguard-mutating', labels: { 'meshguard.io/managed': 'false' } } }, 'meshguard'), false);
    assert.equal(isManaged({ ...managed, metadata: { name: 'istio-sidecar-injector' } }, 'meshguard'), false);
  });
});
