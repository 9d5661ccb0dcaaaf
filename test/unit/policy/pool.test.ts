import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { readBundle } from '../../../src/policy/bundle.js';
import { OpaWasmEngine, type EngineData } from '../../../src/policy/engine.js';
import { PolicyHolder } from '../../../src/policy/holder.js';
import { EvaluationPool, type PoolOptions, type ReplaceReason } from '../../../src/policy/pool.js';
import { InlineEngine, servingEngine } from '../../../src/policy/serving.js';
import { DATA_RULE, LABEL_RULE, SLOW_RULE, buildTestBundle } from '../../support/bundles.js';
import { admissionReview } from '../../support/fixtures.js';

const NO_DATA: EngineData = { config: {}, inventory: {} };
const cm = (name: string, extra: Partial<NonNullable<KubeObject['metadata']>> = {}): object =>
  admissionReview({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra } }, { uid: `u-${name}` });
const slow = cm('slow', { annotations: { 'test/slow': 'x' } });
const labelled = cm('labelled', { labels: { 'test/deny': 'x' } });
const LABEL_VIOLATION = { id: 'test-label', message: 'ConfigMap labelled carries test/deny', enforcement: 'deny', details: {} };

/** A pool whose worker replacements can be awaited (the pool's own event, a real signal). */
async function poolOf(bundle: string, opts: Partial<PoolOptions> = {}): Promise<{ pool: EvaluationPool; replaced: () => Promise<ReplaceReason> }> {
  const waiting: Array<(r: ReplaceReason) => void> = [];
  const engine = await OpaWasmEngine.create(await readBundle(bundle));
  const pool = await EvaluationPool.create(engine, {
    workers: 1, timeoutMs: 2000, queueLimit: 4, memoryMiB: 64, data: NO_DATA, ...opts,
    events: { workerReplaced: (reason) => waiting.shift()?.(reason) },
  });
  return { pool, replaced: () => new Promise((resolve) => waiting.push(resolve)) };
}

/** Ends a worker from outside, as a crash or an out-of-memory kill would (unit-test only). */
function killWorker(pool: EvaluationPool, index: number): void {
  void (pool as unknown as { slots: Array<{ worker: Worker }> }).slots[index]?.worker.terminate();
}

describe('EvaluationPool', () => {
  let bundle: string;
  let withoutSlow: string;
  const pools: EvaluationPool[] = [];
  before(async () => {
    [bundle, withoutSlow] = await Promise.all([
      buildTestBundle({ 'label/policy.rego': LABEL_RULE, 'slow/policy.rego': SLOW_RULE, 'data/policy.rego': DATA_RULE }),
      buildTestBundle({ 'label/policy.rego': LABEL_RULE, 'data/policy.rego': DATA_RULE }),
    ]);
  });
  after(() => Promise.all(pools.map((p) => p.close())));

  it('evaluates in a worker and returns the whole violation set', async () => {
    const { pool } = await poolOf(bundle, { workers: 2 });
    pools.push(pool);
    assert.deepEqual(await pool.evaluate(labelled), [LABEL_VIOLATION]);
    assert.deepEqual(await pool.evaluate(cm('plain')), []);
    assert.deepEqual(pool.stats, { queued: 0, workers: 1, busy: 0 }, 'one worker serves requests that never wait');
  });

  it('starts another worker, up to workers, when an evaluation has to wait, and it starts with the current data', async () => {
    const { pool } = await poolOf(bundle, { workers: 2, timeoutMs: 30000 });
    const blocked = { id: 'test-data', message: 'cm is blocked', enforcement: 'deny', details: {} };
    pool.setData({ config: { blocked: ['cm'] }, inventory: {} });
    const running = pool.evaluate(slow);
    const waiting = pool.evaluate(cm('cm'));
    assert.deepEqual(pool.stats, { queued: 1, workers: 2, busy: 1 });
    assert.deepEqual(await waiting, [blocked], 'answered by the second worker while the first still runs');
    const second = pool.evaluate(slow);
    const third = pool.evaluate(labelled);
    assert.deepEqual(pool.stats, { queued: 1, workers: 2, busy: 2 }, 'never more than workers');
    const closed = [running, second, third].map((p) => assert.rejects(p, { code: 'MG_ERR_POLICY_NOT_LOADED' }));
    await pool.close();
    await Promise.all(closed);
  });

  it('queues up to the limit, refuses one more at once, and times out running and queued work', async () => {
    const { pool, replaced } = await poolOf(bundle, { timeoutMs: 300, queueLimit: 1 });
    pools.push(pool);
    const running = pool.evaluate(slow);
    const queued = pool.evaluate(labelled);
    assert.deepEqual(pool.stats, { queued: 1, workers: 1, busy: 1 });
    await assert.rejects(pool.evaluate(labelled), {
      code: 'MG_ERR_POLICY_OVERLOADED',
      message: 'policy evaluation refused: every evaluation worker is busy and 1 evaluations wait (evaluationQueueLimit 1)',
    });
    const replacement = replaced();
    await assert.rejects(running, { code: 'MG_ERR_POLICY_TIMEOUT', message: 'policy evaluation did not finish within the deadline of 300 ms (evaluationTimeoutMs)' });
    await assert.rejects(queued, {
      code: 'MG_ERR_POLICY_TIMEOUT',
      message: 'policy evaluation did not start within the deadline of 300 ms (evaluationTimeoutMs): every evaluation worker was busy',
    });
    assert.equal(await replacement, 'timeout');
    assert.deepEqual(pool.stats, { queued: 0, workers: 1, busy: 0 });
  });

  it('replaces a worker terminated past its deadline, and the replacement serves', async () => {
    const { pool, replaced } = await poolOf(bundle);
    pools.push(pool);
    const replacement = replaced();
    await assert.rejects(pool.evaluate(slow), { code: 'MG_ERR_POLICY_TIMEOUT' });
    assert.equal(await replacement, 'timeout');
    assert.deepEqual(await pool.evaluate(labelled), [LABEL_VIOLATION]);
  });

  it('fails only the request of a worker that dies, and replaces the worker', async () => {
    const { pool, replaced } = await poolOf(bundle, { workers: 2 });
    pools.push(pool);
    const replacement = replaced();
    const dying = pool.evaluate(slow);
    killWorker(pool, 0);
    await assert.rejects(dying, { code: 'MG_ERR_POLICY_WORKER_FAILED', message: 'policy evaluation failed: the evaluation worker stopped (exit code 1)' });
    assert.equal(await replacement, 'exit');
    assert.deepEqual(await Promise.all([pool.evaluate(labelled), pool.evaluate(labelled)]), [[LABEL_VIOLATION], [LABEL_VIOLATION]]);
  });

  it('pushes data to every worker, and a replacement starts with the current data', async () => {
    const { pool, replaced } = await poolOf(bundle);
    pools.push(pool);
    const blocked = { id: 'test-data', message: 'cm is blocked', enforcement: 'deny', details: {} };
    assert.deepEqual(await pool.evaluate(cm('cm')), []);
    pool.setData({ config: { blocked: ['cm'] }, inventory: {} });
    assert.deepEqual(await pool.evaluate(cm('cm')), [blocked]);
    const replacement = replaced();
    killWorker(pool, 0);
    assert.equal(await replacement, 'exit');
    assert.deepEqual(await pool.evaluate(cm('cm')), [blocked], 'the replacement started with the pushed data');
    pool.setData({ config: { blocked: ['other'] }, inventory: {} });
    assert.deepEqual(await pool.evaluate(cm('cm')), []);
  });

  it('rejects what is queued or running when closed', async () => {
    const { pool } = await poolOf(bundle);
    const running = pool.evaluate(slow);
    const queued = pool.evaluate(labelled);
    const rejected = [running, queued].map((p) => assert.rejects(p, { code: 'MG_ERR_POLICY_NOT_LOADED', message: 'the policy engine is shut down' }));
    await pool.close();
    await Promise.all(rejected);
    await assert.rejects(pool.evaluate(labelled), { code: 'MG_ERR_POLICY_NOT_LOADED' });
  });

  it('with 0 workers evaluates on the event loop, with the same answers and data', async () => {
    const engine = await servingEngine(await OpaWasmEngine.create(await readBundle(bundle)), { config: { blocked: ['cm'] }, inventory: {} },
      { workers: 0, timeoutMs: 2000, queueLimit: 4, memoryMiB: 64 });
    assert.ok(engine instanceof InlineEngine);
    assert.deepEqual(await engine.evaluate(labelled), [LABEL_VIOLATION]);
    assert.deepEqual(await engine.evaluate(cm('cm')), [{ id: 'test-data', message: 'cm is blocked', enforcement: 'deny', details: {} }]);
  });

  it('a reload swaps in a new pool; the old one finishes its in-flight work, then shuts down', async () => {
    const holder = new PolicyHolder({ workers: 1, timeoutMs: 2000, queueLimit: 4, memoryMiB: 64 });
    try {
      assert.equal(await holder.load(bundle), undefined);
      holder.setData({ config: { blocked: ['cm'] }, inventory: {} });
      const old = holder.current();
      assert.ok(old);
      const inflight = old.evaluate(slow);
      assert.equal(await holder.load(withoutSlow), undefined);
      const fresh = holder.current();
      assert.notEqual(fresh?.version, old.version);
      assert.deepEqual(await fresh?.evaluate(slow), [], 'the new bundle has no slow rule');
      assert.deepEqual(await fresh?.evaluate(cm('cm')), [{ id: 'test-data', message: 'cm is blocked', enforcement: 'deny', details: {} }], 'the new pool has the data');
      await assert.rejects(inflight, { code: 'MG_ERR_POLICY_TIMEOUT' });
      await assert.rejects(old.evaluate(labelled), { code: 'MG_ERR_POLICY_NOT_LOADED', message: 'the policy engine is shut down' });
    } finally {
      await holder.close();
    }
  });
});
