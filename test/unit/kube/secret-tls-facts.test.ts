import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { loadConfig } from '../../../src/config.js';
import { Inventory } from '../../../src/inventory/inventory.js';
import type { KubeObject } from '../../../src/inventory/objects.js';
import type { KubeHttp, WatchEvent } from '../../../src/kube/client.js';
import { Reflector } from '../../../src/kube/reflector.js';
import { collectionPath, RESOURCES, secretSpec, type ServedResource } from '../../../src/kube/resources.js';
import { LAST_APPLIED, stripObject } from '../../../src/kube/strip.js';
import { startTlsExpiry } from '../../../src/kube/tls-expiry.js';
import { credentialSampleSecret } from '../../support/fixtures.js';


const withData = { kind: 'Secret', apiVersion: 'v1', metadataOnly: false, tlsFacts: true };
const now = new Date('2027-06-01T00:00:00Z');
const EXPIRED_FACTS = {
  valid: false, problem: 'the certificate expired at 2021-01-01T00:00:00.000Z', notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2021-01-01T00:00:00.000Z',
};

/** Every string the data of a Secret holds, base64 and decoded, to look for in what is kept. */
function dataStrings(secret: KubeObject): string[] {
  const data = secret.data as Record<string, string>;
  return Object.values(data).flatMap((v) => [v, ...Buffer.from(v, 'base64').toString('utf8').split('\n').filter((l) => l.length > 20)]);
}

describe('setting secretTlsFacts', () => {
  it('is off by default, takes on, and names the option on a bad value', () => {
    assert.equal(loadConfig({}, {}).secretTlsFacts, 'off');
    assert.equal(loadConfig({}, { MESHGUARD_SECRET_TLS_FACTS: 'on' }).secretTlsFacts, 'on');
    assert.throws(() => loadConfig({}, { MESHGUARD_SECRET_TLS_FACTS: 'yes' }), {
      message: 'invalid configuration: secretTlsFacts (env MESHGUARD_SECRET_TLS_FACTS) must be one of off, on, got "yes"',
    });
  });

  it('chooses the Secret watch: metadata only when off, data reduced to facts when on', () => {
    assert.deepEqual(secretSpec({ secretTlsFacts: 'off' }), RESOURCES.Secret);
    assert.deepEqual(secretSpec({ secretTlsFacts: 'on' }), { ...RESOURCES.Secret, metadataOnly: false, tlsFacts: true });
  });
});

describe('stripObject of a Secret read with data (secretTlsFacts on)', () => {
  let valid: KubeObject;
  let expired: KubeObject;
  before(async () => {
    valid = await credentialSampleSecret('allowed/valid-certificate.yaml');
    expired = await credentialSampleSecret('denied/expired-certificate.yaml');
  });

  it('keeps metadata and the TLS facts of a kubernetes.io/tls Secret, and nothing of its data', () => {
    const raw = {
      ...expired, stringData: { password: 'hunter2-hunter2-hunter2' },
      metadata: { ...expired.metadata, resourceVersion: '7', annotations: { [LAST_APPLIED]: JSON.stringify({ data: expired.data }) }, managedFields: [{ manager: 'kubectl' }] },
    };
    const out = stripObject(raw, withData, now);
    assert.deepEqual(out, {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'my-cert', namespace: 'istio-ingress', resourceVersion: '7' }, tlsFacts: EXPIRED_FACTS,
    });
    const kept = JSON.stringify(out);
    for (const s of [...dataStrings(expired), 'hunter2-hunter2-hunter2']) assert.ok(!kept.includes(s), `kept no data: ${s.slice(0, 30)}`);
  });

  it('judges an Opaque Secret (cert/key), a Secret without type, and any other type as Istio does', () => {
    const data = valid.data as Record<string, string>;
    const opaque = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 'o', namespace: 'gw' }, data: { cert: data['tls.crt'], key: data['tls.key'] } };
    const facts = stripObject(opaque, withData, now).tlsFacts as { valid: boolean; notAfter: string };
    assert.equal(facts.valid, true);
    assert.match(facts.notAfter, /^2126-/);
    assert.deepEqual(stripObject({ metadata: { name: 'n', namespace: 'gw' }, data: { 'ca.crt': data['tls.crt'] } }, withData, now).tlsFacts, {
      valid: false, problem: 'found keys "ca.crt", expected "cert" and "key" or "tls.crt" and "tls.key"',
    });
    // istioctl judges whatever Secret a credentialName names, whatever its type.
    const token = { type: 'kubernetes.io/service-account-token', metadata: { name: 't', namespace: 'gw' }, data: { token: 'c2VjcmV0LXRva2VuLXZhbHVl' } };
    assert.deepEqual(stripObject(token, withData, now), {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 't', namespace: 'gw' },
      tlsFacts: { valid: false, problem: 'found keys "token", expected "cert" and "key" or "tls.crt" and "tls.key"' },
    });
  });

  it('with the setting off, the same Secret keeps metadata only', () => {
    assert.deepEqual(stripObject(expired, { ...secretSpec({ secretTlsFacts: 'off' }), apiVersion: 'v1' }, now), {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'my-cert', namespace: 'istio-ingress' },
    });
  });
});

/**
 * A fake API server for one list and one watch of Secrets: the list has `listed`; the watch
 * delivers `events`, then resolves `delivered` and stays open until aborted. Records the Accept
 * header of each request.
 */
function fakeHttp(listed: KubeObject[], events: WatchEvent[]): { http: KubeHttp; delivered: Promise<void>; accepts: Array<string | undefined> } {
  let resolve!: () => void;
  const delivered = new Promise<void>((r) => { resolve = r; });
  const accepts: Array<string | undefined> = [];
  const http = {
    async list(_path: string, onItems: (items: Record<string, unknown>[], kind: string) => void, opts: { accept?: string }): Promise<string> {
      accepts.push(opts.accept);
      onItems(listed, 'SecretList');
      return '1';
    },
    async watch(_path: string, _q: unknown, onEvent: (e: WatchEvent) => void, opts: { accept?: string; signal?: AbortSignal }): Promise<void> {
      accepts.push(opts.accept);
      for (const e of events) onEvent(e);
      resolve();
      await new Promise<void>((done) => opts.signal?.addEventListener('abort', () => done()));
    },
  };
  return { http: http as unknown as KubeHttp, delivered, accepts };
}

describe('a Secret reflector with secretTlsFacts on', () => {
  it('asks for full Secrets and stores only metadata and TLS facts, from the list and from watch events', async () => {
    const valid = await credentialSampleSecret('allowed/valid-certificate.yaml');
    const expired = await credentialSampleSecret('denied/expired-certificate.yaml');
    const base = { ...secretSpec({ secretTlsFacts: 'on' }), version: 'v1', apiVersion: 'v1', path: '' };
    const resource: ServedResource = { ...base, path: collectionPath(base, 'istio-ingress') };
    const renamed = { ...valid, metadata: { ...valid.metadata, name: 'good' } };
    const { http, delivered, accepts } = fakeHttp([expired], [{ type: 'ADDED', object: renamed }]);
    const inventory = new Inventory();
    const hooks = { onList: () => {}, onChange: () => {}, onError: () => {}, onWatching: () => {} };
    const reflector = new Reflector(http, resource, inventory, hooks, {}, 'istio-ingress');
    reflector.start();
    await delivered;
    reflector.stop();
    assert.deepEqual(accepts, [undefined, undefined], 'full objects, not PartialObjectMetadata');
    assert.deepEqual(inventory.get('Secret', 'istio-ingress', 'my-cert'), {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'my-cert', namespace: 'istio-ingress' }, tlsFacts: EXPIRED_FACTS,
    });
    assert.equal((inventory.get('Secret', 'istio-ingress', 'good')?.tlsFacts as { valid: boolean }).valid, true);
    const kept = JSON.stringify(inventory.toJSON());
    for (const s of [...dataStrings(valid), ...dataStrings(expired)]) assert.ok(!kept.includes(s), `kept no data: ${s.slice(0, 30)}`);
  });
});

describe('startTlsExpiry: facts judged again when a certificate expires or becomes valid', () => {
  const secret = (name: string, tlsFacts: unknown): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'gw' }, tlsFacts });
  const period = { notBefore: '2030-01-01T00:00:00.000Z', notAfter: '2031-01-01T00:00:00.000Z' };

  it('arms for the next notBefore/notAfter and flips the facts when driven past it', () => {
    const inventory = new Inventory();
    let clock = new Date('2029-06-01T00:00:00Z');
    inventory.upsert(secret('later', { valid: false, problem: 'the certificate is not valid before 2030-01-01T00:00:00.000Z', ...period }));
    inventory.upsert(secret('broken', { valid: false, problem: 'the certificate is not PEM' }));
    inventory.upsert({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'meta-only', namespace: 'gw' } });
    const expiry = startTlsExpiry(inventory, () => clock);
    try {
      assert.equal(expiry.nextAt, Date.parse(period.notBefore) + 1);
      let changes = 0;
      inventory.onChange(() => changes++);
      clock = new Date('2030-06-01T00:00:00Z');
      expiry.refresh();
      assert.deepEqual(inventory.get('Secret', 'gw', 'later')?.tlsFacts, { valid: true, ...period });
      assert.equal(changes, 1, 'only the Secret whose verdict changed is stored again');
      assert.equal(expiry.nextAt, Date.parse(period.notAfter) + 1);
      clock = new Date('2031-01-02T00:00:00Z');
      expiry.refresh();
      assert.deepEqual(inventory.get('Secret', 'gw', 'later')?.tlsFacts, { valid: false, problem: 'the certificate expired at 2031-01-01T00:00:00.000Z', ...period });
      assert.deepEqual(inventory.get('Secret', 'gw', 'broken')?.tlsFacts, { valid: false, problem: 'the certificate is not PEM' });
      assert.equal(expiry.nextAt, undefined);
    } finally {
      expiry.stop();
    }
  });

  it('Inventory.kindVersion counts the changes of one kind only', () => {
    const inventory = new Inventory();
    assert.equal(inventory.kindVersion('Secret'), 0);
    inventory.upsert(secret('a', { valid: true }));
    inventory.upsert({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'gw' } });
    inventory.replaceNamespace('Secret', 'gw', []);
    inventory.remove('Secret', 'gw', 'missing');
    assert.deepEqual([inventory.kindVersion('Secret'), inventory.kindVersion('Service')], [2, 1]);
  });

  it('re-arms when a Secret arrives', () => {
    const inventory = new Inventory();
    const expiry = startTlsExpiry(inventory, () => new Date('2029-06-01T00:00:00Z'));
    try {
      assert.equal(expiry.nextAt, undefined);
      inventory.upsert(secret('new', { valid: true, notBefore: '2020-01-01T00:00:00.000Z', notAfter: period.notAfter }));
      assert.equal(expiry.nextAt, Date.parse(period.notAfter) + 1);
    } finally {
      expiry.stop();
    }
  });
});
