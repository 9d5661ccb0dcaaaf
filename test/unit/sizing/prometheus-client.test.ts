import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PrometheusClient } from '../../../src/sizing/prometheus.js';

interface Seen { url: string; authorization: string | undefined; body: string }

describe('PrometheusClient', () => {
  let server: http.Server;
  let url: string;
  let dir: string;
  const seen: Seen[] = [];
  let answer: { status: number; body: string } = { status: 200, body: '' };
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-prom-auth-'));
    await writeFile(path.join(dir, 'token'), 'tok-123\n');
    await writeFile(path.join(dir, 'password'), 'pw\n');
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', authorization: req.headers.authorization, body });
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const client = (auth: { bearerTokenFile?: string; username?: string; passwordFile?: string }) => new PrometheusClient({
    url: `${url}/`, bearerTokenFile: auth.bearerTokenFile ?? '', basicAuth: { username: auth.username ?? '', passwordFile: auth.passwordFile ?? '' }, timeoutSeconds: 5,
  });

  it('posts range queries with the bearer token or basic auth and reads matrix and vector results', async () => {
    answer = { status: 200, body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { pod: 'a' }, values: [[10, '0.5'], [20, 'NaN'], [30, '1']] }] } }) };
    assert.deepEqual(await client({ bearerTokenFile: path.join(dir, 'token') }).queryRange('up', 0, 30, 10), [{ labels: { pod: 'a' }, samples: [[10, 0.5], [30, 1]] }]);
    answer = { status: 200, body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [30, '2'] }] } }) };
    assert.deepEqual(await client({ username: 'mg', passwordFile: path.join(dir, 'password') }).query('up', 30), [{ labels: {}, samples: [[30, 2]] }]);
    assert.deepEqual(seen.splice(0), [
      { url: '/api/v1/query_range', authorization: 'Bearer tok-123', body: 'query=up&start=0&end=30&step=10' },
      { url: '/api/v1/query', authorization: `Basic ${Buffer.from('mg:pw').toString('base64')}`, body: 'query=up&time=30' },
    ]);
  });

  it('turns every failure into one readable MG_ERR_SIZING_PROMETHEUS message', async () => {
    answer = { status: 400, body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 3' }) };
    await assert.rejects(client({}).query('up{', 1), { code: 'MG_ERR_SIZING_PROMETHEUS', message: 'Prometheus rejected the query "up{": parse error at char 3' });
    answer = { status: 502, body: '<html>bad gateway</html>' };
    await assert.rejects(client({}).query('up', 1), { code: 'MG_ERR_SIZING_PROMETHEUS', message: `Prometheus at ${url}/ answered HTTP 502 without a JSON body` });
    await assert.rejects(client({ bearerTokenFile: path.join(dir, 'missing') }).query('up', 1), {
      code: 'MG_ERR_SIZING_PROMETHEUS', message: `cannot read the Prometheus credentials file ${path.join(dir, 'missing')}: ENOENT: no such file or directory, open '${path.join(dir, 'missing')}'`,
    });
  });
});
