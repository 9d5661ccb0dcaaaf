import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import request from 'supertest';
import { loadConfig } from '../../src/config.js';
import { buildServer, type MeshguardServer } from '../../src/server.js';
import { decodeSnapshot } from '../../src/snapshot/format.js';
import { writeSnapshot } from '../../src/snapshot/store.js';
import { admissionReview } from '../support/fixtures.js';
import { builtinBundle, cliPath, repoRoot } from '../support/paths.js';
import { reviewsRoute, SHOP_MESH, snapshotFile, snapshotOf } from '../support/snapshots.js';

/** The artifact with one payload byte changed and the digest left as it was. */
function tampered(bytes: Buffer): Buffer {
  const raw = gunzipSync(bytes);
  const at = raw.indexOf('"v1"', raw.indexOf(10));
  raw[at + 2] = '9'.charCodeAt(0);
  return gzipSync(raw);
}

async function rejects(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (err: Error & { code?: string }) => {
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    return true;
  });
}

describe('snapshot faults: a bad artifact gets a clear error and changes nothing', () => {
  const servers: MeshguardServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('tampered, truncated, not gzip, another format version, too large: each refused with what is wrong', async () => {
    const { bytes, header } = await snapshotOf(SHOP_MESH);
    const changed = tampered(bytes);
    const payloadDigest = (raw: Buffer, end = raw.length): string => `sha256:${createHash('sha256').update(raw.subarray(raw.indexOf(10) + 1, end)).digest('hex')}`;
    const content = payloadDigest(gunzipSync(changed));
    await rejects(decodeSnapshot(changed, 'a.gz'), 'MG_ERR_SNAPSHOT_INVALID', `snapshot a.gz does not match its digest (header ${header.digest}, content ${content}): it was changed or truncated after it was written`);
    const raw = gunzipSync(bytes);
    await rejects(decodeSnapshot(gzipSync(raw.subarray(0, raw.length - 10)), 'b.gz'), 'MG_ERR_SNAPSHOT_INVALID', `snapshot b.gz does not match its digest (header ${header.digest}, content ${payloadDigest(raw, raw.length - 10)}): it was changed or truncated after it was written`);
    await rejects(decodeSnapshot(Buffer.from('{"format":"x"}'), 'c.gz'), 'MG_ERR_SNAPSHOT_INVALID', 'snapshot c.gz is not a gzip stream: incorrect header check');
    const v3 = Buffer.from(raw.toString('utf8').replace('"version":2', '"version":3'));
    await rejects(decodeSnapshot(gzipSync(v3), 'd.gz'), 'MG_ERR_SNAPSHOT_INVALID', 'snapshot d.gz has format version 3; this meshguard reads versions 1 and 2');
    await rejects(decodeSnapshot(bytes, 'e.gz', 64), 'MG_ERR_SNAPSHOT_TOO_LARGE', 'snapshot e.gz is larger than 64 bytes uncompressed; refused');
  });

  it('a snapshot over 1 MiB is refused for a ConfigMap before the cluster is called, naming the alternative', async () => {
    const big = Buffer.alloc(800 * 1024, 7);
    await rejects(writeSnapshot({ type: 'configmap', namespace: 'meshguard-system', name: 'snap' }, big), 'MG_ERR_SNAPSHOT_TOO_LARGE',
      'the snapshot is 819200 bytes compressed (1092268 in base64); a ConfigMap holds at most 1 MiB: write it to an HTTP(S) URL instead');
  });

  it('a serving instance keeps its snapshot when the next one is tampered with, and says so in logs and metrics', async () => {
    const { bytes, header } = await snapshotOf(SHOP_MESH);
    const file = await snapshotFile(bytes);
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }) as FastifyBaseLogger;
    const config = loadConfig({ mode: 'serverless', host: '127.0.0.1', port: 0, policyBundle: builtinBundle, snapshot: file, evaluationTimeoutMs: 30000 }, {});
    const server = await buildServer(config, { logger });
    servers.push(server);
    const base = `http://127.0.0.1:${(await server.listen()).port}`;
    await server.services.context?.settled(30000);
    assert.equal(server.services.context?.state().usable, true);
    await writeFile(file, tampered(bytes));
    await server.services.context?.refresh();
    const res = await request(base).post('/validate').set('content-type', 'application/json').send(JSON.stringify(admissionReview(reviewsRoute('v2'), { uid: 'k-1' }))).expect(200);
    assert.equal(res.body.response.allowed, false);
    assert.equal(res.body.response.auditAnnotations['snapshot-digest'], header.digest);
    const failed = lines.find((l) => l.msg === 'cluster snapshot read failed; what was loaded is kept');
    assert.deepEqual([failed?.code, failed?.kept], ['MG_ERR_SNAPSHOT_INVALID', header.digest]);
    const metrics = (await request(base).get('/metrics').expect(200)).text;
    assert.match(metrics, /^meshguard_snapshot_loads_total\{result="failure"\} 1$/m);
    assert.match(metrics, /^meshguard_snapshot_loads_total\{result="success"\} 1$/m);
  });

  it('an instance whose snapshot cannot be read answers per failureMode with the reason, without file paths', async () => {
    const { bytes } = await snapshotOf(SHOP_MESH);
    const file = await snapshotFile(bytes);
    await rm(file);
    const config = loadConfig({ mode: 'serverless', host: '127.0.0.1', port: 0, logLevel: 'silent', policyBundle: builtinBundle, snapshot: file, evaluationTimeoutMs: 30000 }, {});
    const server = await buildServer(config, { logger: pino({ level: 'silent' }) as FastifyBaseLogger });
    servers.push(server);
    const base = `http://127.0.0.1:${(await server.listen()).port}`;
    const res = await request(base).post('/validate').set('content-type', 'application/json').send(JSON.stringify(admissionReview(reviewsRoute('v1'), { uid: 'm-1' }))).expect(200);
    assert.deepEqual(res.body.response.status, {
      code: 500, reason: 'InternalError',
      message: "meshguard could not judge cross-resource rules: no cluster snapshot is loaded (cannot read snapshot snapshot.gz: ENOENT: no such file or directory, open 'snapshot.gz') (MG_ERR_SNAPSHOT_MISSING); failureMode is deny",
    });
    const ready = await request(base).get('/readyz').expect(200);
    assert.equal(ready.body.checks.snapshot.ok, true);
    assert.equal(ready.body.checks.snapshot.degraded.failed.startsWith('no cluster snapshot is loaded (cannot read snapshot '), true);
  });

  it('`check --snapshot` with a tampered file exits 2 with one line naming the problem', async () => {
    const { bytes } = await snapshotOf(SHOP_MESH);
    const file = await snapshotFile(tampered(bytes));
    const manifest = path.join(path.dirname(file), 'vs.json');
    await writeFile(manifest, JSON.stringify(reviewsRoute('v2')));
    const r = spawnSync(process.execPath, [cliPath, 'check', '--snapshot', file, manifest], { cwd: repoRoot, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^meshguard: MG_ERR_SNAPSHOT_INVALID: snapshot snapshot\.gz does not match its digest \(header sha256:[0-9a-f]{64}, content sha256:[0-9a-f]{64}\): it was changed or truncated after it was written\n$/);
    assert.equal((await readFile(file)).length > 0, true);
  });
});
