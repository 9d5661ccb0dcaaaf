import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import request from 'supertest';
import type { MeshguardServer } from '../../src/server.js';
import { post, testServer } from '../support/server.js';

/** Every client error is `{code, message}` on one line: no stack, no extra fields. */
function assertOneLineError(body: unknown, code: string, message: RegExp): void {
  assert.deepEqual(Object.keys(body as object).sort(), ['code', 'message']);
  const b = body as { code: string; message: string };
  assert.equal(b.code, code);
  assert.match(b.message, message);
  assert.ok(!b.message.includes('\n') && !b.message.includes(' at '), `no stack in ${b.message}`);
}

describe('bad input is answered with a clear error and never crashes', () => {
  let server: MeshguardServer;
  before(async () => {
    server = await testServer({ bodyLimit: 4096 });
  });
  after(() => server.close());

  for (const route of ['/validate', '/mutate'] as const) {
    it(`${route}: a body that is not an AdmissionReview is 400`, async () => {
      const res = await post(server, route, { hello: 'world' }).expect(400);
      assertOneLineError(res.body, 'MG_ERR_ADMISSION_BAD_REQUEST', /^body is not an AdmissionReview: kind must be AdmissionReview$/);
    });

    it(`${route}: malformed JSON is 400`, async () => {
      const res = await post(server, route, '{"apiVersion": ').expect(400);
      assertOneLineError(res.body, 'MG_ERR_ADMISSION_BAD_REQUEST', /^body is not valid JSON from byte 15$/);
    });

    it(`${route}: a body over the limit is 413`, async () => {
      const big = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', pad: 'x'.repeat(5000) });
      const res = await post(server, route, big).expect(413);
      assertOneLineError(res.body, 'FST_ERR_CTP_BODY_TOO_LARGE', /^request body exceeds the limit of 4096 bytes$/);
    });

    it(`${route}: a wrong content type is 415`, async () => {
      const res = await post(server, route, 'apiVersion: admission.k8s.io/v1', 'application/yaml').expect(415);
      assertOneLineError(res.body, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', /application\/yaml/);
    });

    it(`${route}: an unsupported AdmissionReview version is 400 naming v1`, async () => {
      const res = await post(server, route, { apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'a' } }).expect(400);
      assertOneLineError(res.body, 'MG_ERR_ADMISSION_UNSUPPORTED_VERSION', /^unsupported AdmissionReview apiVersion: only admission.k8s.io\/v1 is supported$/);
    });

    it(`${route}: a missing request.uid is 400`, async () => {
      const res = await post(server, route, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { kind: { kind: 'Pod' }, operation: 'CREATE' } }).expect(400);
      assertOneLineError(res.body, 'MG_ERR_ADMISSION_MISSING_UID', /^AdmissionReview request.uid is missing$/);
    });

    it(`${route}: a non-object request.object is 400`, async () => {
      const body = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'a', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', object: 'pod' } };
      const res = await post(server, route, body).expect(400);
      assertOneLineError(res.body, 'MG_ERR_ADMISSION_BAD_REQUEST', /^AdmissionReview request.object must be an object$/);
    });
  }

  it('an admission route on the probe port is 404 naming the probe port and the admission port', async () => {
    const { port } = await server.listen();
    const res = await request(server.probes.server).post('/validate').send({}).expect(404);
    assert.deepEqual(res.body, {
      code: 'MG_ERR_NOT_FOUND',
      message: `no route POST /validate on the probe port (plain HTTP: GET /livez, GET /readyz, GET /metrics); admission is served over HTTPS on port ${port}: POST /mutate, POST /validate`,
    });
  });

  it('an unknown route is 404 with a hint', async () => {
    const res = await post(server, '/nope' as '/validate', {}).expect(404);
    assertOneLineError(res.body, 'MG_ERR_NOT_FOUND', /use POST \/mutate or POST \/validate/);
  });

  it('an unknown kind is evaluated and admitted (no rule matches), not rejected as an error', async () => {
    const body = {
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: { uid: 'k-1', kind: { group: 'example.com', version: 'v1', kind: 'Widget' }, operation: 'CREATE', namespace: 'default', object: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } } },
    };
    const v = await post(server, '/validate', body).expect(200);
    assert.deepEqual(v.body.response, { uid: 'k-1', allowed: true });
    const m = await post(server, '/mutate', body).expect(200);
    assert.deepEqual(m.body.response, { uid: 'k-1', allowed: true });
  });

  it('still serves after all of the above', async () => {
    const res = await post(server, '/validate', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'z', kind: { group: '', version: 'v1', kind: 'ConfigMap' }, operation: 'CREATE', object: { kind: 'ConfigMap', metadata: { name: 'c' } } } }).expect(200);
    assert.deepEqual(res.body.response, { uid: 'z', allowed: true });
  });
});
