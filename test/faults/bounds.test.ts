import assert from 'node:assert/strict';
import https from 'node:https';
import { describe, it } from 'node:test';
import request from 'supertest';
import { FIELD_MAX, OTHER, knownKinds } from '../../src/admission/label-values.js';
import { testServer } from '../support/server.js';
import { loops, memoryLogger, postJson, stalledRequest } from './clients.js';

function configMapReview(uid: string, kind = 'ConfigMap', name = 'cm', namespace = 'default'): string {
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: { uid, kind: { group: '', version: 'v1', kind }, operation: 'CREATE', namespace, name, object: { apiVersion: 'v1', kind, metadata: { name, namespace } } },
  });
}

describe('stalled bodies and the in-flight bound', () => {
  it('times out a request whose body stalls: 408 and the socket closed; other requests are answered', { timeout: 120_000 }, async () => {
    const server = await testServer({ requestTimeoutMs: 1000, headersTimeoutMs: 500 });
    const agent = new https.Agent({ keepAlive: false, ca: server.certificate!.cert });
    try {
      const { port } = await server.listen();
      const body = configMapReview('stalled');
      const stalled = await Promise.all([1, 2].map(() => stalledRequest(port, '/validate', body.length, body.slice(0, body.length / 2))));
      const beside = await postJson(agent, port, '/validate', configMapReview('beside'));
      assert.deepEqual([beside.status, JSON.parse(beside.body).response], [200, { uid: 'beside', allowed: true }]);
      for (const answer of await Promise.all(stalled.map((s) => s.closed))) assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
      const after = await postJson(agent, port, '/validate', configMapReview('after'));
      assert.deepEqual([after.status, JSON.parse(after.body).response], [200, { uid: 'after', allowed: true }]);
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('beyond maxInFlight answers 503 at once without reading the body; probes and requests under the bound are answered; a freed slot is reused', { timeout: 120_000 }, async () => {
    const maxInFlight = 4;
    const server = await testServer({ maxInFlight, requestTimeoutMs: 600_000, headersTimeoutMs: 600_000 });
    const agent = new https.Agent({ keepAlive: false, ca: server.certificate!.cert });
    try {
      const { port } = await server.listen();
      // A request is in flight once the server has its headers ('request' event) until its
      // response closes: both are events of the real server.
      const seen: Array<Promise<void>> = [];
      const arrivals: Array<() => void> = [];
      server.app.server.on('request', (_req, res) => {
        seen.push(new Promise((resolve) => res.once('close', () => resolve())));
        arrivals.shift()?.();
      });
      const arrived = (): Promise<void> => new Promise((resolve) => arrivals.push(resolve));
      const body = configMapReview('stalled');
      const stall = async (): ReturnType<typeof stalledRequest> => {
        const here = arrived();
        const s = await stalledRequest(port, '/validate', body.length, body.slice(0, body.length / 2));
        await here;
        return s;
      };

      const stalled = [await stall(), await stall(), await stall()];
      const under = await postJson(agent, port, '/validate', configMapReview('under-the-bound'));
      assert.deepEqual([under.status, JSON.parse(under.body).response], [200, { uid: 'under-the-bound', allowed: true }]);
      stalled.push(await stall());

      const shed = await postJson(agent, port, '/validate', configMapReview('one-too-many'));
      assert.equal(shed.status, 503);
      assert.equal(shed.headers.connection, 'close');
      assert.equal(shed.headers['retry-after'], '1');
      assert.deepEqual(JSON.parse(shed.body), { code: 'MG_ERR_ADMISSION_OVERLOADED', message: 'meshguard is already handling 4 admission requests (maxInFlight); retry' });
      await request(server.probes.server).get('/readyz').expect(200);
      await request(server.probes.server).get('/livez').expect(200, { live: true });

      // The clients give up; once the server has closed one of those requests, its slot is free.
      const firstStalled = seen[0] as Promise<void>;
      stalled[0]?.socket.destroy();
      await firstStalled;
      const freed = await postJson(agent, port, '/validate', configMapReview('freed'));
      assert.deepEqual([freed.status, JSON.parse(freed.body).response], [200, { uid: 'freed', allowed: true }]);
      for (const s of stalled) s.socket.destroy();
      assert.match(await server.services.metrics.registry.getSingleMetricAsString('meshguard_admission_shed_total'), /^meshguard_admission_shed_total 1$/m);
    } finally {
      agent.destroy();
      await server.close();
    }
  });
});

describe('label-cardinality and log abuse', () => {
  it('1,000 requests with unique 100 KB kinds: /metrics keeps closed label sets and stays small, logs are truncated, answers do not echo them', { timeout: 120_000 }, async () => {
    const { logger, lines } = memoryLogger();
    const server = await testServer({}, { logger });
    const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: server.certificate!.cert });
    try {
      const { port } = await server.listen();
      const metricsText = async (): Promise<string> => (await request(server.probes.server).get('/metrics').expect(200)).text;
      // One ordinary request of each webhook first, so the baseline has their series.
      for (const route of ['/validate', '/mutate']) assert.equal((await postJson(agent, port, route, configMapReview(`base${route}`))).status, 200);
      const before = await metricsText();
      const total = 1000;
      let next = 0;
      await loops(8, async () => {
        const n = next++;
        if (n >= total) return false;
        const huge = `${n}-`.padEnd(100 * 1024, 'K');
        const route = n % 2 === 0 ? '/validate' : '/mutate';
        const uid = `abuse-${n}`;
        // Every fourth request also carries a 100 KB name and namespace.
        const body = n % 4 === 1 ? configMapReview(uid, huge, huge, huge) : configMapReview(uid, huge);
        const answer = await postJson(agent, port, route, body);
        assert.equal(answer.status, 200, answer.body);
        assert.deepEqual(JSON.parse(answer.body), { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } });
        return true;
      });
      const after = await metricsText();
      const allowed = new Set([...knownKinds(server.services.policy.holder.current()?.catalog), OTHER]);
      const kinds = new Set([...after.matchAll(/^meshguard_(?:admission_requests_total|mutations_applied_total)\{.*?kind="([^"]*)"/gm)].map((m) => m[1]));
      for (const kind of kinds) assert.ok(allowed.has(kind as string), `label kind="${String(kind).slice(0, 40)}" is in the closed set`);
      // No rule of the built-in pack judges ConfigMaps and no mutator changes them: 'other' too.
      assert.deepEqual([...kinds], [OTHER]);
      assert.ok(after.length - before.length < 4096, `/metrics grew by ${after.length - before.length} bytes`);

      const admissions = lines.filter((l) => l.msg === 'admission' && String(l.uid).startsWith('abuse-'));
      assert.equal(admissions.length, total);
      const longest = `${'K'.repeat(FIELD_MAX)}…[${100 * 1024 - FIELD_MAX} more characters]`.length;
      for (const line of admissions) {
        for (const field of ['uid', 'kind', 'name', 'namespace']) assert.ok(String(line[field]).length <= longest, `${field} is truncated`);
        assert.match(String(line.kind), new RegExp(`^.{${FIELD_MAX}}…\\[\\d+ more characters\\]$`, 'u'));
      }
    } finally {
      agent.destroy();
      await server.close();
    }
  });
});
