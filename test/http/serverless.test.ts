import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import request from 'supertest';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/server.js';
import { admissionReview } from '../support/fixtures.js';
import { builtinBundle } from '../support/paths.js';

describe('serverless mode', () => {
  it('takes $PORT and serves admission and probes on one plain-HTTP port', async () => {
    const config = loadConfig({ mode: 'serverless', host: '127.0.0.1', logLevel: 'silent', policyBundle: builtinBundle }, { PORT: '0' });
    assert.equal(config.port, 0);
    assert.equal(loadConfig({ mode: 'serverless' }, { PORT: '9999' }).port, 9999);
    assert.equal(loadConfig({ mode: 'serverless' }, { PORT: '9999', MESHGUARD_PORT: '7000' }).port, 7000);
    const server = await buildServer(config, { logger: pino({ level: 'silent' }) as FastifyBaseLogger });
    try {
      const { port, probePort } = await server.listen();
      assert.equal(probePort, port);
      assert.equal(server.certificate, undefined);
      const base = `http://127.0.0.1:${port}`;
      const ready = await request(base).get('/readyz').expect(200);
      assert.deepEqual(Object.keys(ready.body.checks), ['policy']);
      const review = admissionReview({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'a' }, spec: { mtls: { mode: 'DISABLE' } } }, { uid: 's-1' });
      const res = await request(base).post('/validate').set('content-type', 'application/json').send(JSON.stringify(review)).expect(200);
      assert.equal(res.body.response.uid, 's-1');
      assert.equal(res.body.response.allowed, false);
      assert.match(res.body.response.status.message, /^\[pa-strict-mtls\] /);
      await request(base).get('/metrics').expect(200);
    } finally {
      await server.close();
    }
  });
});
