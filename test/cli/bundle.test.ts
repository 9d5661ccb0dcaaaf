import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { on } from 'node:events';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { readBundle } from '../../src/policy/bundle.js';
import { OpaWasmEngine } from '../../src/policy/engine.js';
import type { EvaluateMessage, FromWorker, WorkerStart } from '../../src/policy/eval-worker.js';
import { admissionReview } from '../support/fixtures.js';
import { builtinBundle, cliPath, repoRoot } from '../support/paths.js';

/** The start-up bundle `npm run build` makes (scripts/bundle.mjs): what `bin` and the image run. */
const bundlePath = path.join(repoRoot, 'dist', 'bundle', 'meshguard.js');

function run(entry: string, args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [entry, ...args], { cwd: repoRoot, input, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the start-up bundle', () => {
  it('checks manifests exactly as the compiled modules do (the built-in pack, the CRDs and the org config found from dist/bundle)', () => {
    const samples = path.join(repoRoot, 'policies', 'istio', 'vs-subset-exists', 'samples');
    const bundled = run(bundlePath, ['check', '-o', 'json', samples]);
    const modules = run(cliPath, ['check', '-o', 'json', samples]);
    assert.equal(bundled.stderr, modules.stderr);
    assert.equal(bundled.code, modules.code);
    assert.equal(bundled.stdout, modules.stdout);
    assert.equal(bundled.code, 1, 'the denied sample is denied');
    assert.match(bundled.stdout, /"id": "vs-subset-exists"/);
  });

  it('mutates a Pod from stdin exactly as the compiled modules do', () => {
    const pod = JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels: { 'sidecar.istio.io/inject': 'true' } },
      spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
    });
    const bundled = run(bundlePath, ['mutate', '-o', 'patch', '-'], pod);
    const modules = run(cliPath, ['mutate', '-o', 'patch', '-'], pod);
    assert.equal(bundled.code, 0, bundled.stderr);
    assert.equal(bundled.stdout, modules.stdout);
    assert.match(bundled.stdout, /"sidecar\.istio\.io\/proxyCPU": "50m"/);
  });

  it('ships the evaluation worker as one CommonJS file that evaluates exactly as the engine does', { timeout: 60000 }, async () => {
    const engine = await OpaWasmEngine.create(await readBundle(builtinBundle));
    const data = { config: {}, inventory: {} };
    engine.setData(data);
    const bytes = engine.encode(data);
    const start: WorkerStart = { module: engine.module, bundle: engine.facts, memoryMiB: 256, bytes };
    const worker = new Worker(path.join(repoRoot, 'dist', 'bundle', 'eval-worker.cjs'), { workerData: start, transferList: [bytes] });
    try {
      const messages = (async function* (): AsyncGenerator<FromWorker> {
        for await (const [m] of on(worker, 'message')) yield m as FromWorker;
      })();
      assert.deepEqual((await messages.next()).value, { type: 'ready' });
      const review = admissionReview({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'a', namespace: 'shop' }, spec: { mtls: { mode: 'DISABLE' } } });
      const job: EvaluateMessage = [1, 'PeerAuthentication', review];
      worker.postMessage(job);
      const expected = engine.evaluate(review, 'PeerAuthentication');
      assert.ok(expected.length > 0, 'the review is denied by the built-in pack');
      assert.deepEqual((await messages.next()).value, { type: 'result', id: 1, violations: expected });
    } finally {
      await worker.terminate();
    }
  });
});
