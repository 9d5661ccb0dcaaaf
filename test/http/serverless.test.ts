import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import request from 'supertest';
import { loadConfig } from '../../src/config.js';
import { buildServer, type MeshguardServer } from '../../src/server.js';
import { admissionReview } from '../support/fixtures.js';
import { FIX, findingLine } from '../support/messages.js';
import { builtinBundle } from '../support/paths.js';
import { reviewsRoute, SHOP_MESH, snapshotFile, snapshotOf } from '../support/snapshots.js';

const silent = (): FastifyBaseLogger => pino({ level: 'silent' }) as FastifyBaseLogger;

/** A serverless meshguard listening on a free port, and its base URL. */
async function serverless(flags: Record<string, unknown>, clock?: () => number): Promise<{ server: MeshguardServer; base: string }> {
  const config = loadConfig({ mode: 'serverless', host: '127.0.0.1', port: 0, logLevel: 'silent', policyBundle: builtinBundle, evaluationTimeoutMs: 30000, ...flags }, {});
  const server = await buildServer(config, { logger: silent(), ...(clock ? { clock } : {}) });
  const { port } = await server.listen();
  return { server, base: `http://127.0.0.1:${port}` };
}

function validate(base: string, body: unknown): request.Test {
  return request(base).post('/validate').set('content-type', 'application/json').send(JSON.stringify(body));
}

const SUBSET_DENIAL = findingLine('vs-subset-exists', 'VirtualService shop/reviews routes to subset v2 of host reviews (spec.http[0].route[0].destination), but no DestinationRule for reviews.shop.svc.cluster.local defines it.', FIX['vs-subset-exists'], undefined, 'IST0101');

describe('serverless mode', () => {
  const servers: MeshguardServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('takes $PORT and serves admission and probes on one plain-HTTP port', async () => {
    const config = loadConfig({ mode: 'serverless', host: '127.0.0.1', logLevel: 'silent', policyBundle: builtinBundle }, { PORT: '0' });
    assert.equal(config.port, 0);
    assert.equal(loadConfig({ mode: 'serverless' }, { PORT: '9999' }).port, 9999);
    assert.equal(loadConfig({ mode: 'serverless' }, { PORT: '9999', MESHGUARD_PORT: '7000' }).port, 7000);
    const server = await buildServer(config, { logger: silent() });
    try {
      const { port, probePort } = await server.listen();
      assert.equal(probePort, port);
      assert.equal(server.certificate, undefined);
      const base = `http://127.0.0.1:${port}`;
      const ready = await request(base).get('/readyz').expect(200);
      assert.deepEqual(ready.body.checks.snapshot, {
        ok: true, detail: 'no snapshot configured: cross-resource rules answer per failureMode',
        degraded: { failed: 'no snapshot configured', since: ready.body.checks.snapshot.degraded.since },
      });
      const review = admissionReview({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'a' }, spec: { mtls: { mode: 'DISABLE' } } }, { uid: 's-1' });
      const res = await validate(base, review).expect(200);
      assert.equal(res.body.response.uid, 's-1');
      assert.equal(res.body.response.allowed, false);
      assert.match(res.body.response.status.message, /^\[pa-strict-mtls\] /);
      assert.deepEqual(res.body.response.auditAnnotations, { 'snapshot-unavailable': 'MG_ERR_SNAPSHOT_MISSING' });
      await request(base).get('/metrics').expect(200);
    } finally {
      await server.close();
    }
  });

  it('with no snapshot, an object no local rule denies is answered per failureMode, never silently allowed', async () => {
    const deny = await serverless({});
    const allow = await serverless({ failureMode: 'allow' });
    servers.push(deny.server, allow.server);
    const review = admissionReview(reviewsRoute('v2'), { uid: 'n-1' });
    const denied = await validate(deny.base, review).expect(200);
    assert.deepEqual(denied.body.response, {
      uid: 'n-1', allowed: false,
      status: { code: 500, reason: 'InternalError', message: 'meshguard could not judge cross-resource rules: no cluster snapshot is configured (MG_ERR_SNAPSHOT_MISSING); failureMode is deny' },
      auditAnnotations: { 'snapshot-unavailable': 'MG_ERR_SNAPSHOT_MISSING' },
    });
    const allowed = await validate(allow.base, review).expect(200);
    assert.deepEqual(allowed.body.response, {
      uid: 'n-1', allowed: true,
      warnings: ['meshguard could not judge cross-resource rules: no cluster snapshot is configured (MG_ERR_SNAPSHOT_MISSING); admitted because failureMode is allow'],
      auditAnnotations: { failure: 'MG_ERR_SNAPSHOT_MISSING', 'snapshot-unavailable': 'MG_ERR_SNAPSHOT_MISSING' },
    });
  });

  it('judges a VirtualService against the snapshot: a missing subset is denied, a defined one allowed, each naming the snapshot', async () => {
    const taken = Date.parse('2026-01-01T00:00:00Z');
    const { bytes, header } = await snapshotOf(SHOP_MESH, new Date(taken));
    const { server, base } = await serverless({ snapshot: await snapshotFile(bytes) }, () => taken + 42_000);
    servers.push(server);
    const denied = await validate(base, admissionReview(reviewsRoute('v2'), { uid: 'd-1' })).expect(200);
    assert.equal(denied.body.response.allowed, false);
    assert.equal(denied.body.response.status.message, SUBSET_DENIAL);
    assert.deepEqual(denied.body.response.auditAnnotations, { 'snapshot-digest': header.digest, 'snapshot-age-seconds': '42' });
    const allowed = await validate(base, admissionReview(reviewsRoute('v1'), { uid: 'a-1' })).expect(200);
    assert.deepEqual(allowed.body.response, { uid: 'a-1', allowed: true, auditAnnotations: { 'snapshot-digest': header.digest, 'snapshot-age-seconds': '42' } });
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: [{ name: 'app', image: 'app:1' }] } };
    const mutated = await request(base).post('/mutate').set('content-type', 'application/json').send(JSON.stringify(admissionReview(pod, { uid: 'm-1' }))).expect(200);
    assert.deepEqual(mutated.body.response.auditAnnotations, { mutations: 'sidecar-resources,telemetry-defaults', 'snapshot-digest': header.digest, 'snapshot-age-seconds': '42' });
    const ready = await request(base).get('/readyz').expect(200);
    assert.deepEqual(ready.body.checks.snapshot, { ok: true, detail: `snapshot ${header.digest} taken 2026-01-01T00:00:00.000Z serves (snapshotMaxAgeSeconds 300)` });
    const metrics = (await request(base).get('/metrics').expect(200)).text;
    assert.match(metrics, /^meshguard_snapshot_age_seconds 42$/m);
    assert.match(metrics, /^meshguard_snapshot_objects 2$/m);
    assert.match(metrics, /^meshguard_snapshot_loads_total\{result="success"\} 1$/m);
  });

  it('past snapshotMaxAgeSeconds, cross-resource decisions follow failureMode and /readyz says why', async () => {
    const taken = Date.parse('2026-01-01T00:00:00Z');
    const { bytes } = await snapshotOf(SHOP_MESH, new Date(taken));
    const { server, base } = await serverless({ snapshot: await snapshotFile(bytes), snapshotMaxAgeSeconds: 60, failureMode: 'allow' }, () => taken + 61_000);
    servers.push(server);
    const stale = 'the cluster snapshot is 61 s old, more than snapshotMaxAgeSeconds (60)';
    const res = await validate(base, admissionReview(reviewsRoute('v1'), { uid: 's-2' })).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 's-2', allowed: true,
      warnings: [`meshguard could not judge cross-resource rules: ${stale} (MG_ERR_SNAPSHOT_STALE); admitted because failureMode is allow`],
      auditAnnotations: { failure: 'MG_ERR_SNAPSHOT_STALE', 'snapshot-unavailable': 'MG_ERR_SNAPSHOT_STALE' },
    });
    const ready = await request(base).get('/readyz').expect(200);
    assert.equal(ready.body.checks.snapshot.detail, `${stale}: cross-resource rules answer per failureMode`);
    assert.equal(ready.body.degraded, true);
  });
});

/** An HTTP snapshot source that holds every GET until `release()`, answering ETag / If-None-Match. */
async function heldSource(bytes: Buffer, etag: string): Promise<{ url: string; gets: Array<string | undefined>; arrived: Promise<void>; release: () => void; close: () => Promise<void> }> {
  const gets: Array<string | undefined> = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrivedResolve!: () => void;
  const arrived = new Promise<void>((resolve) => (arrivedResolve = resolve));
  const source = http.createServer((req, res) => {
    gets.push(req.headers['if-none-match']);
    arrivedResolve();
    void released.then(() => {
      if (req.headers['if-none-match'] === etag) res.writeHead(304, { etag }).end();
      else res.writeHead(200, { etag, 'content-type': 'application/gzip' }).end(bytes);
    });
  });
  source.listen(0, '127.0.0.1');
  await once(source, 'listening');
  const url = `http://127.0.0.1:${(source.address() as AddressInfo).port}/mesh/snapshot.gz`;
  return { url, gets, arrived, release, close: () => new Promise((resolve) => source.close(() => resolve())) };
}

/** Resolves once the server has received `count` HTTP requests. */
function requestsReceived(server: MeshguardServer, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const onRequest = (): void => {
      if (++seen < count) return;
      server.app.server.off('request', onRequest);
      resolve();
    };
    server.app.server.on('request', onRequest);
  });
}

describe('serverless mode: scale-to-zero safety', () => {
  it('the first requests after a cold start wait for the one snapshot read they share, then are judged with it', async () => {
    const { bytes, header } = await snapshotOf(SHOP_MESH);
    const source = await heldSource(bytes, '"v1"');
    const { server, base } = await serverless({ snapshot: source.url });
    try {
      await source.arrived;
      const notReady = await request(base).get('/readyz').expect(503);
      assert.deepEqual(notReady.body.checks.snapshot, { ok: false, detail: 'loading the cluster snapshot' });
      const received = requestsReceived(server, 2);
      const first = validate(base, admissionReview(reviewsRoute('v2'), { uid: 'c-1' })).then((r) => r.body.response);
      const second = validate(base, admissionReview(reviewsRoute('v2'), { uid: 'c-2' })).then((r) => r.body.response);
      // Both requests are in the server (in flight) before the snapshot is released.
      await received;
      source.release();
      const answers = await Promise.all([first, second]);
      assert.deepEqual(answers.map((a: { uid: string; allowed: boolean; status: { message: string } }) => [a.uid, a.allowed, a.status.message]), [['c-1', false, SUBSET_DENIAL], ['c-2', false, SUBSET_DENIAL]]);
      assert.deepEqual(source.gets, [undefined], 'one read, shared');
      await server.services.context?.refresh();
      assert.deepEqual(source.gets, [undefined, '"v1"'], 'the refresh is conditional');
      const metrics = (await request(base).get('/metrics').expect(200)).text;
      assert.match(metrics, /^meshguard_snapshot_loads_total\{result="success"\} 1$/m);
      assert.match(metrics, /^meshguard_snapshot_loads_total\{result="unchanged"\} 1$/m);
      assert.equal((await request(base).get('/readyz').expect(200)).body.checks.snapshot.detail.startsWith(`snapshot ${header.digest} taken`), true);
    } finally {
      source.release();
      await server.close();
      await source.close();
    }
  });

  it('a request arriving while an idle instance shuts down (SIGTERM) is answered, with the snapshot', async () => {
    const { bytes } = await snapshotOf(SHOP_MESH);
    const { server, base } = await serverless({ snapshot: await snapshotFile(bytes) });
    const shutdown = server.shutdown(60_000);
    const ready = await request(base).get('/readyz').expect(503);
    assert.deepEqual(ready.body.checks.shutdown, { ok: false, detail: 'shutting down' });
    const res = await validate(base, admissionReview(reviewsRoute('v2'), { uid: 't-1' })).expect(200);
    assert.equal(res.headers.connection, 'close');
    assert.equal(res.body.response.status.message, SUBSET_DENIAL);
    // The grace timer does not hold the process; close now instead of waiting for it.
    await server.close();
    void shutdown;
  });
});
