import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { MeshguardServer } from '../../src/server.js';
import { BOOM_RULE, LABEL_RULE, buildTestBundle } from '../support/bundles.js';
import { admissionReview } from '../support/fixtures.js';
import { nextReload, post, testServer, writeAtomically } from '../support/server.js';
import { FIX, findingLine } from '../support/messages.js';

const labelled: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', labels: { 'test/deny': 'x' } } };
const boom: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', annotations: { 'test/boom': 'x' } } };

function readyz(server: MeshguardServer): request.Test {
  return request(server.probes.server).get('/readyz');
}

describe('policy bundle hot reload', () => {
  let labelBundle: string;
  let boomBundle: string;
  before(async () => {
    [labelBundle, boomBundle] = await Promise.all([buildTestBundle({ 'label/policy.rego': LABEL_RULE }), buildTestBundle({ 'boom/policy.rego': BOOM_RULE })]);
  });

  it('swaps in a new bundle, and keeps serving the old one (ready, degraded) when the new file is broken', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-reload-'));
    const live = path.join(dir, 'bundle.tar.gz');
    await copyFile(boomBundle, live);
    const server = await testServer({ policyBundle: live });
    try {
      const v1 = server.services.policy.holder.status.version;
      let res = await post(server, '/validate', admissionReview(labelled, { uid: 'r-1' })).expect(200);
      assert.deepEqual(res.body.response, { uid: 'r-1', allowed: true });

      let reloaded = nextReload(server, 'bundle');
      await writeAtomically(live, await readFile(labelBundle));
      const swapped = await reloaded;
      const v2 = server.services.policy.holder.status.version;
      assert.notEqual(v2, v1);
      assert.deepEqual(swapped, { source: 'bundle', result: 'success', version: v2 });
      res = await post(server, '/validate', admissionReview(labelled, { uid: 'r-2' })).expect(200);
      assert.deepEqual(res.body.response, { uid: 'r-2', allowed: false, status: { code: 403, reason: 'Forbidden', message: findingLine('test-label', 'ConfigMap cm carries test/deny.', FIX['test-label']) } });

      reloaded = nextReload(server, 'bundle');
      await writeAtomically(live, 'this is not a bundle');
      assert.deepEqual(await reloaded, { source: 'bundle', result: 'failure', version: v2 });
      assert.equal(server.services.policy.holder.status.version, v2);
      res = await post(server, '/validate', admissionReview(labelled, { uid: 'r-3' })).expect(200);
      assert.equal(res.body.response.allowed, false, 'the previous bundle still serves');
      const ready = await readyz(server).expect(200);
      assert.equal(ready.body.ready, true);
      assert.equal(ready.body.degraded, true);
      const policy = ready.body.checks.policy as { ok: boolean; detail: string; degraded: { failed: string; since: string } };
      const failed = 'policy bundle bundle.tar.gz is not gzip: incorrect header check';
      assert.deepEqual(policy, { ok: true, detail: `bundle ${v2} serves; the last reload failed: ${failed}`, degraded: { failed, since: policy.degraded.since } });
      assert.ok(!Number.isNaN(Date.parse(policy.degraded.since)));
      const loads = await server.services.metrics.registry.getSingleMetricAsString('meshguard_policy_bundle_loads_total');
      assert.match(loads, /result="failure"\} 1$/m);
      assert.match(loads, /result="success"\} 2$/m);
      assert.match(await server.services.metrics.registry.getSingleMetricAsString('meshguard_policy_bundle_degraded'), /^meshguard_policy_bundle_degraded 1$/m);
    } finally {
      await server.close();
    }
  });

  it('answers an evaluation failure per failureMode: deny with 500, allow with a warning', async () => {
    const deny = await testServer({ policyBundle: boomBundle, policyMemoryMiB: 16 });
    const allow = await testServer({ policyBundle: boomBundle, policyMemoryMiB: 16, failureMode: 'allow' });
    try {
      const d = await post(deny, '/validate', admissionReview(boom, { uid: 'f-1' })).expect(200);
      assert.deepEqual(d.body.response, {
        uid: 'f-1', allowed: false,
        status: { code: 500, reason: 'InternalError', message: 'meshguard could not evaluate policies: policy evaluation failed: opa_malloc: failed (MG_ERR_POLICY_EVALUATION); failureMode is deny' },
      });
      const a = await post(allow, '/validate', admissionReview(boom, { uid: 'f-2' })).expect(200);
      assert.deepEqual(a.body.response, {
        uid: 'f-2', allowed: true,
        warnings: ['meshguard could not evaluate policies: policy evaluation failed: opa_malloc: failed (MG_ERR_POLICY_EVALUATION); admitted because failureMode is allow'],
        auditAnnotations: { failure: 'MG_ERR_POLICY_EVALUATION' },
      });
      // The trapped instance was replaced: the next ordinary request is evaluated normally.
      const next = await post(deny, '/validate', admissionReview(labelled, { uid: 'f-3' })).expect(200);
      assert.deepEqual(next.body.response, { uid: 'f-3', allowed: true });
      const errors = await deny.services.metrics.registry.getSingleMetricAsString('meshguard_policy_evaluation_errors_total');
      assert.match(errors, /code="MG_ERR_POLICY_EVALUATION"\} 1/);
    } finally {
      await deny.close();
      await allow.close();
    }
  });

  it('reports a missing bundle in /readyz and answers per failureMode', async () => {
    const server = await testServer({ policyBundle: '/nonexistent/bundle.tar.gz' });
    try {
      const ready = await readyz(server).expect(503);
      assert.deepEqual(ready.body.checks.policy, { ok: false, detail: 'no policy bundle loaded: cannot read policy bundle bundle.tar.gz: ENOENT: no such file or directory, open \'bundle.tar.gz\'' });
      const res = await post(server, '/validate', admissionReview(labelled, { uid: 'm-1' })).expect(200);
      assert.deepEqual(res.body.response.status, { code: 500, reason: 'InternalError', message: 'meshguard could not evaluate policies: no policy bundle is loaded (MG_ERR_POLICY_NOT_LOADED); failureMode is deny' });
    } finally {
      await server.close();
    }
  });
});

function makeCert(dir: string, cn: string): { cert: string; key: string } {
  const cert = path.join(dir, 'tls.crt');
  const key = path.join(dir, 'tls.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

function peerCommonName(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const cn = socket.getPeerCertificate().subject.CN;
      socket.end();
      resolve(Array.isArray(cn) ? cn.join(',') : (cn ?? ''));
    });
    socket.on('error', reject);
  });
}

describe('serving certificate', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-tls-'));
  });

  it('reloads the certificate files without a restart and enforces TLS 1.2 or later', async () => {
    const first = makeCert(dir, 'first');
    const config = { tlsCertFile: first.cert, tlsKeyFile: first.key };
    const server = await testServer(config, { certificateFromConfig: true });
    try {
      const { port } = await server.listen();
      assert.equal(await peerCommonName(port), 'first');
      const expiry = new X509Certificate(await readFile(first.cert)).validTo;
      assert.match(await server.services.metrics.registry.getSingleMetricAsString('meshguard_tls_certificate_expiry_timestamp_seconds'),
        new RegExp(`meshguard_tls_certificate_expiry_timestamp_seconds ${new Date(expiry).getTime() / 1000}`));
      const reloaded = nextReload(server, 'certificate');
      makeCert(dir, 'second');
      assert.deepEqual(await reloaded, { source: 'certificate', result: 'success' });
      assert.equal(await peerCommonName(port), 'second');
      await assert.rejects(new Promise((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, () => resolve(s));
        s.on('error', reject);
      }));
    } finally {
      await server.close();
    }
  });
});

describe('probes and shutdown', () => {
  let server: MeshguardServer;
  before(async () => {
    server = await testServer();
  });
  after(() => server.close().catch(() => {}));

  it('is live and ready with tls and policy checks, and exports metrics', async () => {
    await request(server.probes.server).get('/livez').expect(200, { live: true });
    const ready = await readyz(server).expect(200);
    assert.deepEqual(Object.keys(ready.body.checks).sort(), ['policy', 'tls']);
    await post(server, '/validate', admissionReview(labelled, { uid: 'p-1' })).expect(200);
    const text = (await request(server.probes.server).get('/metrics').expect(200)).text;
    for (const name of ['meshguard_admission_requests_total', 'meshguard_admission_duration_seconds_bucket{le="0.0001",webhook="validate"}',
      'meshguard_policy_evaluation_seconds_bucket', 'meshguard_policy_bundle_info', 'meshguard_mutations_applied_total', 'meshguard_process_resident_memory_bytes']) {
      assert.ok(text.includes(name), `metrics include ${name}`);
    }
  });

  it('turns readiness false first, lets in-flight requests finish, then closes', async () => {
    const { port } = await server.listen();
    const body = JSON.stringify(admissionReview(labelled, { uid: 's-1' }));
    // The request is in the server's hands before shutdown starts: in flight, not still connecting.
    const received = once(server.app.server, 'request');
    const inflight = fetchWithCert(port, body);
    await received;
    const shutdown = server.shutdown(300);
    const ready = await readyz(server).expect(503);
    assert.deepEqual(ready.body.checks.shutdown, { ok: false, detail: 'shutting down' });
    const answer = JSON.parse(await inflight) as { response: { uid: string } };
    assert.equal(answer.response.uid, 's-1');
    await shutdown;
    assert.equal(server.app.server.listening, false);
  });

  function fetchWithCert(port: number, body: string): Promise<string> {
    return new Promise((resolve, reject) => {
      import('node:https').then(({ request: req }) => {
        const r = req({ host: '127.0.0.1', port, path: '/validate', method: 'POST', ca: server.certificate!.cert, headers: { 'content-type': 'application/json' } }, (res) => {
          let data = '';
          res.on('data', (c: Buffer) => (data += c.toString()));
          res.on('end', () => resolve(data));
        });
        r.on('error', reject);
        r.end(body);
      }, reject);
    });
  }
});
