import assert from 'node:assert/strict';
import { copyFile, mkdtemp, open, readFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { before, describe, it } from 'node:test';
import request from 'supertest';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { BOOM_RULE, LABEL_RULE, buildTestBundle } from '../support/bundles.js';
import { admissionReview } from '../support/fixtures.js';
import { nextReload, orgConfigFile, testServer, writeAtomically } from '../support/server.js';
import { loops, makeCert, memoryLogger, postJson, secretVolume, signal, type Answer } from './clients.js';
import { FIX, findingLine } from '../support/messages.js';

const labelled: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { 'test/deny': 'x' } } };
const DENIED = { code: 403, reason: 'Forbidden', message: findingLine('test-label', 'ConfigMap cm carries test/deny.', FIX['test-label']) };
const WORKERS = 8;
/** Requests each worker sends after the swap was announced before it stops. */
const AFTER = 4;

function reviewBody(uid: string): string {
  return JSON.stringify(admissionReview(labelled, { uid }));
}

/** The admission answer of one request, checked to be a whole AdmissionReview for `uid`. */
function responseOf(answer: Answer, uid: string): Record<string, unknown> {
  assert.equal(answer.status, 200, answer.body);
  const review = JSON.parse(answer.body) as { apiVersion: string; kind: string; response: Record<string, unknown> };
  assert.equal(review.kind, 'AdmissionReview');
  assert.equal(review.response.uid, uid);
  return review.response;
}

async function metric(server: MeshguardServer, name: string): Promise<string> {
  return server.services.metrics.registry.getSingleMetricAsString(name);
}

describe('hot swaps under load', () => {
  let labelBundle: string;
  let boomBundle: string;
  before(async () => {
    [labelBundle, boomBundle] = await Promise.all([buildTestBundle({ 'label/policy.rego': LABEL_RULE }), buildTestBundle({ 'boom/policy.rego': BOOM_RULE })]);
  });

  it('bundle swap: no request fails, each answer is one bundle\'s decision, and every request sent after the swap gets the new one', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-swap-'));
    const live = path.join(dir, 'bundle.tar.gz');
    await copyFile(boomBundle, live);
    const { logger, lines } = memoryLogger();
    const server = await testServer({ policyBundle: live }, { logger });
    const agent = new https.Agent({ keepAlive: true, maxSockets: WORKERS, ca: server.certificate!.cert });
    try {
      const { port } = await server.listen();
      const v1 = server.services.policy.holder.status.version;
      const warmed = signal();
      let answered = 0;
      let swapped = false;
      const after = new Array<number>(WORKERS).fill(0);
      const sentAfterSwap = new Set<string>();
      const load = loops(WORKERS, async (w, i) => {
        const uid = `w${w}-${i}`;
        const afterSwap = swapped;
        if (afterSwap) sentAfterSwap.add(uid);
        const response = responseOf(await postJson(agent, port, '/validate', reviewBody(uid)), uid);
        if (afterSwap) assert.deepEqual(response, { uid, allowed: false, status: DENIED }, `${uid} was sent after the swap`);
        else if (response.allowed) assert.deepEqual(response, { uid, allowed: true });
        else assert.deepEqual(response, { uid, allowed: false, status: DENIED });
        if (++answered === WORKERS * 3) warmed.resolve();
        return !afterSwap || ++after[w]! < AFTER;
      });
      await warmed.promise;
      const reloaded = nextReload(server, 'bundle');
      await writeAtomically(live, await readFile(labelBundle));
      const event = await reloaded;
      swapped = true;
      await load;
      const v2 = server.services.policy.holder.status.version;
      assert.notEqual(v2, v1);
      assert.deepEqual(event, { source: 'bundle', result: 'success', version: v2 });
      assert.equal(sentAfterSwap.size, WORKERS * AFTER);
      const versions = new Map(lines.filter((l) => l.msg === 'admission').map((l) => [l.uid, l.policyVersion]));
      for (const uid of sentAfterSwap) assert.equal(versions.get(uid), v2, `${uid} was decided by the new bundle`);
      assert.match(await metric(server, 'meshguard_policy_bundle_loads_total'), /^meshguard_policy_bundle_loads_total\{result="success"\} 2$/m);
      assert.doesNotMatch(await metric(server, 'meshguard_policy_bundle_loads_total'), /result="failure"/);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('certificate rotation: no request fails, and every connection opened after the reload gets the new certificate', { timeout: 120_000 }, async () => {
    // Mounted as the kubelet mounts a Secret, so the certificate and its key change together.
    const volume = secretVolume(await mkdtemp(path.join(os.tmpdir(), 'meshguard-rotate-')), ['first', 'second']);
    const cas = await Promise.all(volume.versions.map((v) => readFile(v.cert, 'utf8')));
    const server = await testServer({ tlsCertFile: volume.cert, tlsKeyFile: volume.key }, { certificateFromConfig: true });
    // No keep-alive, no session resumption and no socket limit: every request is a full TLS
    // handshake on a connection of its own (an agent at its socket limit hands a finished socket,
    // opened before the rotation, to a queued request), so each answer names the certificate of a
    // connection opened after the request was made.
    const agent = new https.Agent({ keepAlive: false, ca: cas, maxCachedSessions: 0 });
    try {
      const { port } = await server.listen();
      const warmed = signal();
      let answered = 0;
      let rotated = false;
      const after = new Array<number>(WORKERS).fill(0);
      const peers = new Map<string, number>();
      const load = loops(WORKERS, async (w, i) => {
        const uid = `c${w}-${i}`;
        const afterRotation = rotated;
        const answer = await postJson(agent, port, '/validate', reviewBody(uid));
        assert.deepEqual(responseOf(answer, uid), { uid, allowed: true });
        if (afterRotation) assert.equal(answer.peer, 'second', `${uid} was sent after the rotation`);
        peers.set(answer.peer, (peers.get(answer.peer) ?? 0) + 1);
        if (++answered === WORKERS * 3) warmed.resolve();
        return !afterRotation || ++after[w]! < AFTER;
      });
      await warmed.promise;
      const reloaded = nextReload(server, 'certificate');
      volume.rotate(1);
      assert.deepEqual(await reloaded, { source: 'certificate', result: 'success' });
      rotated = true;
      await load;
      assert.ok((peers.get('first') ?? 0) >= WORKERS * 3, 'the first certificate served before');
      assert.ok((peers.get('second') ?? 0) >= WORKERS * AFTER, 'the second certificate serves after');
      assert.deepEqual([...peers.keys()].sort(), ['first', 'second']);
      assert.match(await metric(server, 'meshguard_tls_certificate_reloads_total'), /^meshguard_tls_certificate_reloads_total\{result="success"\} 1$/m);
      assert.doesNotMatch(await metric(server, 'meshguard_tls_certificate_reloads_total'), /result="failure"/);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('a bundle written in place in pieces is read once, whole; a broken one keeps the replica ready and degraded, the old engine answering', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-inplace-'));
    const live = path.join(dir, 'bundle.tar.gz');
    await copyFile(boomBundle, live);
    const server = await testServer({ policyBundle: live });
    try {
      // A good bundle, written in place in four pieces (as `cp` or an editor would).
      const v1 = server.services.policy.holder.status.version;
      let reloaded = nextReload(server, 'bundle');
      await writeInPieces(live, await readFile(labelBundle), 4);
      const whole = await reloaded;
      const v = server.services.policy.holder.status.version;
      assert.notEqual(v, v1);
      assert.deepEqual(whole, { source: 'bundle', result: 'success', version: v });

      // A broken one, written in place the same way.
      reloaded = nextReload(server, 'bundle');
      await writeInPieces(live, Buffer.from('this is not a bundle, and it is not gzip either'), 2);
      assert.deepEqual(await reloaded, { source: 'bundle', result: 'failure', version: v });
      const ready = await request(server.probes.server).get('/readyz').expect(200);
      const failed = 'policy bundle bundle.tar.gz is not gzip: incorrect header check';
      assert.deepEqual(ready.body, {
        ready: true, degraded: true,
        checks: {
          tls: ready.body.checks.tls,
          policy: { ok: true, detail: `bundle ${v} serves; the last reload failed: ${failed}`, degraded: { failed, since: ready.body.checks.policy.degraded.since } },
        },
      });
      assert.equal(ready.body.checks.tls.ok, true);
      const answer = await request(server.app.server).post('/validate').ca(server.certificate!.cert).set('content-type', 'application/json').send(reviewBody('old-1')).expect(200);
      assert.deepEqual(answer.body.response, { uid: 'old-1', allowed: false, status: DENIED });
      assert.match(await metric(server, 'meshguard_policy_bundle_degraded'), /^meshguard_policy_bundle_degraded 1$/m);
      const loads = await metric(server, 'meshguard_policy_bundle_loads_total');
      assert.match(loads, /^meshguard_policy_bundle_loads_total\{result="success"\} 2$/m);
      assert.match(loads, /^meshguard_policy_bundle_loads_total\{result="failure"\} 1$/m);

      // Fixed: no longer degraded.
      reloaded = nextReload(server, 'bundle');
      await writeAtomically(live, await readFile(boomBundle));
      assert.equal((await reloaded).result, 'success');
      const fixed = await request(server.probes.server).get('/readyz').expect(200);
      assert.deepEqual(fixed.body.checks.policy, { ok: true, detail: `bundle ${server.services.policy.holder.status.version} serves` });
      assert.equal(fixed.body.degraded, false);
      assert.match(await metric(server, 'meshguard_policy_bundle_degraded'), /^meshguard_policy_bundle_degraded 0$/m);
    } finally {
      await server.close();
    }
  });
});

/** Truncates `file` and writes `data` in `pieces` writes, yielding to the event loop between them. */
async function writeInPieces(file: string, data: Buffer, pieces: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    const size = Math.ceil(data.length / pieces);
    for (let at = 0; at < data.length; at += size) {
      await handle.write(data.subarray(at, at + size));
      await nextTurn();
    }
  } finally {
    await handle.close();
  }
}

describe('a broken org config or certificate keeps the replica ready, degraded', () => {
  it('org config: the previous one keeps serving and /readyz, the metric and the reload event say so', { timeout: 120_000 }, async () => {
    const file = await orgConfigFile('rules: {}\n');
    const server = await testServer({ orgConfig: file });
    try {
      const before = server.services.policy.org;
      const reloaded = nextReload(server, 'orgConfig');
      await writeAtomically(file, 'rules: [this is: not, a mapping\n');
      assert.deepEqual(await reloaded, { source: 'orgConfig', result: 'failure' });
      assert.equal(server.services.policy.org, before, 'the previous org config serves');
      const ready = await request(server.probes.server).get('/readyz').expect(200);
      assert.equal(ready.body.ready, true);
      assert.equal(ready.body.degraded, true);
      const check = ready.body.checks.orgConfig as { ok: boolean; detail: string; degraded: { failed: string; since: string } };
      assert.equal(check.ok, true);
      assert.equal(check.detail, `the previous org config serves; the last reload failed: ${check.degraded.failed}`);
      assert.equal(check.degraded.failed, 'cannot read org config org.yaml: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:');
      assert.ok(!check.detail.includes(path.dirname(file)), 'no path in /readyz');
      assert.match(await metric(server, 'meshguard_org_config_degraded'), /^meshguard_org_config_degraded 1$/m);

      const fixed = nextReload(server, 'orgConfig');
      await writeAtomically(file, 'rules: {}\n# fixed\n');
      assert.deepEqual(await fixed, { source: 'orgConfig', result: 'success' });
      const after = await request(server.probes.server).get('/readyz').expect(200);
      assert.deepEqual([after.body.degraded, after.body.checks.orgConfig], [false, { ok: true, detail: 'org config loaded' }]);
      assert.match(await metric(server, 'meshguard_org_config_degraded'), /^meshguard_org_config_degraded 0$/m);
    } finally {
      await server.close();
    }
  });

  it('certificate: a key that does not belong to the certificate is not served; the old pair keeps serving', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-badpair-'));
    const other = await mkdtemp(path.join(os.tmpdir(), 'meshguard-badpair-other-'));
    const first = makeCert(dir, 'first');
    const stranger = makeCert(other, 'stranger');
    const server = await testServer({ tlsCertFile: first.cert, tlsKeyFile: first.key }, { certificateFromConfig: true });
    const agent = new https.Agent({ keepAlive: false, maxCachedSessions: 0, ca: await readFile(first.cert, 'utf8') });
    try {
      const { port } = await server.listen();
      const reloaded = nextReload(server, 'certificate');
      await writeAtomically(first.key, await readFile(stranger.key));
      assert.deepEqual(await reloaded, { source: 'certificate', result: 'failure' });
      const answer = await postJson(agent, port, '/validate', reviewBody('tls-1'));
      assert.equal(answer.peer, 'first');
      assert.deepEqual(responseOf(answer, 'tls-1'), { uid: 'tls-1', allowed: true });
      const ready = await request(server.probes.server).get('/readyz').expect(200);
      const failed = 'TLS certificate and key from tls.crt, tls.key do not belong together';
      assert.deepEqual(ready.body.checks.tls, { ok: true, detail: `${ready.body.checks.tls.detail.split('; ')[0]}; the last reload failed: ${failed}`, degraded: { failed, since: ready.body.checks.tls.degraded.since } });
      assert.match(ready.body.checks.tls.detail, /^certificate from tls\.crt, tls\.key, valid until /);
      assert.match(await metric(server, 'meshguard_tls_certificate_degraded'), /^meshguard_tls_certificate_degraded 1$/m);
      assert.match(await metric(server, 'meshguard_tls_certificate_reloads_total'), /^meshguard_tls_certificate_reloads_total\{result="failure"\} 1$/m);
    } finally {
      agent.destroy();
      await server.close();
    }
  });
});
