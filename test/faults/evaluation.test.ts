/**
 * Bounded, isolated policy evaluation through the real server over HTTPS: a looping evaluation is
 * answered per failureMode at its deadline while probes, metrics and other requests are answered;
 * the pool replaces the worker and keeps serving; an overload beyond the queue bound is answered at
 * once; a large VirtualService does not hold up small requests.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import request from 'supertest';
import { Inventory } from '../../src/inventory/inventory.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { LABEL_RULE, SLOW_RULE, buildTestBundle } from '../support/bundles.js';
import { REVIEWS_V1_RULE, admissionReview, bigVirtualService } from '../support/fixtures.js';
import { post, testServer } from '../support/server.js';
import { EXEMPT_DEFAULT, EXEMPT_LOCKED, FIX, findingLine } from '../support/messages.js';

const configMap = (name: string, metadata: Partial<NonNullable<KubeObject['metadata']>> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...metadata } });
const slow = configMap('slow', { annotations: { 'test/slow': 'x' } });
const labelled = configMap('labelled', { labels: { 'test/deny': 'x' } });
const LABEL_DENIAL = { code: 403, reason: 'Forbidden', message: findingLine('test-label', 'ConfigMap labelled carries test/deny.', FIX['test-label']) };

const didNotFinish = (ms: number): string => `policy evaluation did not finish within the deadline of ${ms} ms (evaluationTimeoutMs)`;
const didNotStart = (ms: number): string => `policy evaluation did not start within the deadline of ${ms} ms (evaluationTimeoutMs): every evaluation worker was busy`;
const denied500 = (detail: string, code: string): object =>
  ({ code: 500, reason: 'InternalError', message: `meshguard could not evaluate policies: ${detail} (${code}); failureMode is deny` });

/** A logger that hands over the log lines with a given message as they are written (a real signal). */
function watchedLogger(): { logger: FastifyBaseLogger; next(msg: string): Promise<Record<string, unknown>> } {
  const waiting: Array<{ msg: string; resolve(line: Record<string, unknown>): void }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const line = JSON.parse(text) as Record<string, unknown>;
        const i = waiting.findIndex((w) => w.msg === line.msg);
        if (i !== -1) waiting.splice(i, 1)[0]?.resolve(line);
      }
      done();
    },
  });
  return {
    logger: pino({ level: 'warn' }, sink) as FastifyBaseLogger,
    next: (msg) => new Promise((resolve) => waiting.push({ msg, resolve })),
  };
}

async function metric(server: MeshguardServer, name: string): Promise<string> {
  return server.services.metrics.registry.getSingleMetricAsString(name);
}

describe('a looping policy evaluation', () => {
  let bundle: string;
  const servers: MeshguardServer[] = [];
  before(async () => {
    bundle = await buildTestBundle({ 'label/policy.rego': LABEL_RULE, 'slow/policy.rego': SLOW_RULE });
  });
  after(() => Promise.all(servers.map((s) => s.close())));

  it('is denied at its deadline while probes, metrics and other requests are answered, and its worker is replaced', async () => {
    // The looping request only ends at its deadline, set far above what the other requests need even
    // on a loaded machine: they are answered while it still runs, which is what the test shows.
    const timeoutMs = 15000;
    const logs = watchedLogger();
    const server = await testServer({ policyBundle: bundle, evaluationWorkers: 2, evaluationTimeoutMs: timeoutMs }, { logger: logs.logger });
    servers.push(server);
    let slowAnswered = false;
    const slowAnswer = post(server, '/validate', admissionReview(slow, { uid: 'slow-1' })).then((res) => {
      slowAnswered = true;
      return res;
    });
    const replaced = logs.next('policy evaluation worker replaced');

    await request(server.probes.server).get('/livez').expect(200, { live: true });
    const ready = await request(server.probes.server).get('/readyz').expect(200);
    assert.equal(ready.body.ready, true);
    const metrics = (await request(server.probes.server).get('/metrics').expect(200)).text;
    assert.match(metrics, /^meshguard_policy_evaluation_timeouts_total 0$/m);
    const deny = await post(server, '/validate', admissionReview(labelled, { uid: 'other-1' })).expect(200);
    assert.deepEqual(deny.body.response, { uid: 'other-1', allowed: false, status: LABEL_DENIAL });
    const allow = await post(server, '/validate', admissionReview(configMap('plain'), { uid: 'other-2' })).expect(200);
    assert.deepEqual(allow.body.response, { uid: 'other-2', allowed: true });
    assert.equal(slowAnswered, false, 'the other requests were answered while the looping one was in flight');

    const res = await slowAnswer;
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      response: { uid: 'slow-1', allowed: false, status: denied500(didNotFinish(timeoutMs), 'MG_ERR_POLICY_TIMEOUT') },
    });
    const line = await replaced;
    assert.deepEqual([line.reason, line.detail], ['timeout', `evaluation ran past the deadline of ${timeoutMs} ms`]);

    // The replaced worker and the other one both serve.
    const after = await Promise.all([1, 2, 3].map((i) => post(server, '/validate', admissionReview(labelled, { uid: `after-${i}` })).expect(200)));
    assert.deepEqual(after.map((r) => r.body.response), [1, 2, 3].map((i) => ({ uid: `after-${i}`, allowed: false, status: LABEL_DENIAL })));
    assert.match(await metric(server, 'meshguard_policy_evaluation_timeouts_total'), /^meshguard_policy_evaluation_timeouts_total 1$/m);
    assert.match(await metric(server, 'meshguard_policy_worker_replacements_total'), /^meshguard_policy_worker_replacements_total\{reason="timeout"\} 1$/m);
    assert.match(await metric(server, 'meshguard_policy_evaluation_errors_total'), /^meshguard_policy_evaluation_errors_total\{code="MG_ERR_POLICY_TIMEOUT"\} 1$/m);
  });

  it('is admitted with a warning at its deadline when failureMode is allow', async () => {
    // Only the looping request goes to this server: its outcome is certain with any deadline.
    const server = await testServer({ policyBundle: bundle, evaluationWorkers: 1, evaluationTimeoutMs: 200, failureMode: 'allow' });
    servers.push(server);
    const res = await post(server, '/validate', admissionReview(slow, { uid: 'slow-2' })).expect(200);
    assert.deepEqual(res.body.response, {
      uid: 'slow-2', allowed: true,
      warnings: [`meshguard could not evaluate policies: ${didNotFinish(200)} (MG_ERR_POLICY_TIMEOUT); admitted because failureMode is allow`],
      auditAnnotations: { failure: 'MG_ERR_POLICY_TIMEOUT' },
    });
  });

  it('beyond the queue bound, is refused at once instead of piling up', async () => {
    // One worker, one queue place: of three looping requests one runs, one waits, one is refused.
    const timeoutMs = 3000;
    const server = await testServer({ policyBundle: bundle, evaluationWorkers: 1, evaluationTimeoutMs: timeoutMs, evaluationQueueLimit: 1 });
    servers.push(server);
    const answers = await Promise.all([1, 2, 3].map((i) => post(server, '/validate', admissionReview(slow, { uid: `storm-${i}` })).expect(200)));
    assert.deepEqual(answers.map((r) => r.body.response.allowed), [false, false, false]);
    const statuses = answers.map((r) => r.body.response.status as { message: string }).sort((x, y) => x.message.localeCompare(y.message));
    const timedOut = (detail: string): object => denied500(detail, 'MG_ERR_POLICY_TIMEOUT');
    const refused = denied500('policy evaluation refused: every evaluation worker is busy and 1 evaluations wait (evaluationQueueLimit 1)', 'MG_ERR_POLICY_OVERLOADED');
    // The waiting one either never started, or started on the replacement worker and ran out of time.
    const outcomes = [[timedOut(didNotFinish(timeoutMs)), timedOut(didNotFinish(timeoutMs)), refused], [timedOut(didNotFinish(timeoutMs)), timedOut(didNotStart(timeoutMs)), refused]];
    assert.ok(outcomes.some((o) => isDeepStrictEqual(o, statuses)), `one ran out of time, one waited, one was refused: ${JSON.stringify(statuses)}`);
    const res = await post(server, '/validate', admissionReview(labelled, { uid: 'after-storm' })).expect(200);
    assert.deepEqual(res.body.response, { uid: 'after-storm', allowed: false, status: LABEL_DENIAL });
  });
});

describe('a large VirtualService sent with small requests', () => {
  let server: MeshguardServer;
  before(async () => {
    const inventory = new Inventory();
    inventory.upsert(REVIEWS_V1_RULE);
    // The longest deadline: the large object's answer must be its rules' decision, not a timeout.
    server = await testServer({ evaluationWorkers: 2, evaluationTimeoutMs: 30000 }, { inventory });
  });
  after(() => server.close());

  it('answers every request with its correct decision', async () => {
    const permissive: KubeObject = {
      apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'prod' },
      spec: { mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } },
    };
    const strict: KubeObject = { ...permissive, spec: { mtls: { mode: 'STRICT' } } };
    const big = post(server, '/validate', admissionReview(bigVirtualService(8000), { uid: 'big', namespace: 'shop' })).expect(200);
    const small = Array.from({ length: 12 }, (_, i) => post(server, '/validate', admissionReview(i % 2 ? permissive : strict, { uid: `small-${i}`, namespace: 'prod' })).expect(200));
    const answers = await Promise.all([big, ...small]);
    assert.deepEqual(answers[0]?.body.response, {
      uid: 'big', allowed: false,
      status: {
        code: 403, reason: 'Forbidden',
        message: findingLine('vs-subset-exists', 'VirtualService shop/big routes to subset missing of host reviews (spec.http[7999].route[0].destination), but no DestinationRule for reviews.shop.svc.cluster.local defines it.', FIX['vs-subset-exists'], EXEMPT_DEFAULT, 'IST0101'),
      },
    });
    assert.deepEqual(answers.slice(1).map((r) => r.body.response), Array.from({ length: 12 }, (_, i) => (i % 2
      ? { uid: `small-${i}`, allowed: false, status: { code: 403, reason: 'Forbidden', message: findingLine('pa-strict-mtls', 'PeerAuthentication prod/default sets mtls.mode PERMISSIVE on port 8080; only STRICT or UNSET is allowed (spec.portLevelMtls[8080].mode).', FIX['pa-strict-mtls'], EXEMPT_LOCKED) } }
      : { uid: `small-${i}`, allowed: true })));
  });
});
