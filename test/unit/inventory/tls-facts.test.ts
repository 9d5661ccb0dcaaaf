import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { secretForInventory, tlsFacts } from '../../../src/inventory/tls-facts.js';
import { credentialSampleSecret } from '../../support/fixtures.js';


const now = new Date('2027-06-01T00:00:00Z');
const secret = (extra: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'a' }, ...extra });
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('tlsFacts: a Secret judged as Istio judges a gateway credential', () => {
  let valid: KubeObject;
  let expired: KubeObject;
  before(async () => {
    valid = await credentialSampleSecret('allowed/valid-certificate.yaml');
    expired = await credentialSampleSecret('denied/expired-certificate.yaml');
  });

  it('a certificate within its validity under tls.crt/tls.key is valid', () => {
    const facts = tlsFacts(valid, now);
    assert.equal(facts.valid, true);
    assert.equal(facts.problem, undefined);
    assert.match(facts.notAfter ?? '', /^2126-/);
  });

  it('an expired certificate, and one not yet valid', () => {
    assert.deepEqual(tlsFacts(expired, now), {
      valid: false, problem: 'the certificate expired at 2021-01-01T00:00:00.000Z', notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2021-01-01T00:00:00.000Z',
    });
    assert.deepEqual(tlsFacts(expired, new Date('2019-06-01T00:00:00Z')), {
      valid: false, problem: 'the certificate is not valid before 2020-01-01T00:00:00.000Z', notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2021-01-01T00:00:00.000Z',
    });
  });

  it('cert/key is read first, as Istio does, then tls.crt/tls.key', () => {
    const data = valid.data as Record<string, string>;
    const both = secret({ data: { cert: data['tls.crt'], key: b64('k'), 'tls.crt': (expired.data as Record<string, string>)['tls.crt'], 'tls.key': b64('k') } });
    assert.equal(tlsFacts(both, now).valid, true);
  });

  it('missing, empty and unexpected keys say which keys were found', () => {
    assert.deepEqual(tlsFacts(secret({}), now), { valid: false, problem: 'found no keys, expected "cert" and "key" or "tls.crt" and "tls.key"' });
    assert.deepEqual(tlsFacts(secret({ data: { 'tls.crt': '', 'tls.key': '' } }), now), { valid: false, problem: 'found keys "tls.crt" and "tls.key", but they were empty' });
    assert.deepEqual(tlsFacts(secret({ data: { 'ca.crt': b64('x'), 'tls.crt': b64('x') } }), now), {
      valid: false, problem: 'found keys "ca.crt", "tls.crt", expected "cert" and "key" or "tls.crt" and "tls.key"',
    });
  });

  it('text that is not a PEM certificate, or a PEM block that does not parse, is invalid without a crash', () => {
    assert.deepEqual(tlsFacts(secret({ stringData: { 'tls.crt': 'not a certificate', 'tls.key': 'k' } }), now), { valid: false, problem: 'the certificate is not PEM' });
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    assert.deepEqual(tlsFacts(secret({ stringData: { 'tls.crt': broken, 'tls.key': 'k' } }), now), { valid: false, problem: 'the certificate does not parse' });
    assert.deepEqual(tlsFacts(secret({ data: { 'tls.crt': 42, 'tls.key': null } }), now), { valid: false, problem: 'found keys "tls.crt" and "tls.key", but they were empty' });
  });

  it('the inventory copy carries metadata and the facts, never the data', () => {
    const given = secret({
      type: 'kubernetes.io/tls', data: valid.data, stringData: { extra: 'x' },
      metadata: { name: 's', namespace: 'a', labels: { app: 'gw' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{}}' } },
    });
    assert.deepEqual(secretForInventory(expired, now), {
      apiVersion: 'v1', kind: 'Secret', metadata: expired.metadata,
      tlsFacts: { valid: false, problem: 'the certificate expired at 2021-01-01T00:00:00.000Z', notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2021-01-01T00:00:00.000Z' },
    });
    const copy = secretForInventory(given, now);
    assert.deepEqual(Object.keys(copy).sort(), ['apiVersion', 'kind', 'metadata', 'tlsFacts']);
    assert.deepEqual(copy.metadata, { name: 's', namespace: 'a', labels: { app: 'gw' } });
  });
});
