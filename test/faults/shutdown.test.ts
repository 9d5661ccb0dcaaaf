import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { alive, freePort, startProcess, waitFor } from '../e2e/processes.js';
import { admissionReview } from '../support/fixtures.js';
import { cliPath } from '../support/paths.js';
import { loops, makeCert, postJson, signal } from './clients.js';

const WORKERS = 6;

/**
 * Starts `meshguard serve` on free ports and waits until it is ready. A port another process took
 * between freePort() and the bind (EADDRINUSE, the process exits) is retried on new ports.
 */
async function startServing(dir: string, cert: string, key: string): Promise<{ proc: ReturnType<typeof startProcess>; port: number }> {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('MESHGUARD_') || k === 'KUBECONFIG') delete env[k];
  for (let attempt = 1; ; attempt++) {
    const [port, probePort] = [await freePort(), await freePort()];
    const proc = startProcess('meshguard', process.execPath, [cliPath, 'serve', '--host', '127.0.0.1', '--port', String(port), '--probe-port', String(probePort),
      '--tls-cert-file', cert, '--tls-key-file', key, '--kube', 'off', '--log-level', 'warn', '--shutdown-grace-ms', '5000'], { logFile: path.join(dir, `meshguard-${attempt}.log`), env });
    try {
      await waitFor('meshguard /readyz', async () => ((await fetch(`http://127.0.0.1:${probePort}/readyz`)).status === 200 ? true : undefined), {
        timeoutMs: 60_000, abortIf: () => (alive(proc) ? undefined : `meshguard exited:\n${proc.tail()}`),
      });
      return { proc, port };
    } catch (err) {
      await proc.stop();
      if (attempt < 3 && proc.tail().includes('EADDRINUSE')) continue;
      throw err;
    }
  }
}

describe('SIGTERM under load (the real `meshguard serve` process)', () => {
  it('answers every in-flight request, sends Connection: close while draining, and exits 0', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-sigterm-'));
    const { cert, key } = makeCert(dir, 'sigterm');
    const { proc, port } = await startServing(dir, cert, key);
    const agent = new https.Agent({ keepAlive: true, maxSockets: WORKERS, ca: await readFile(cert, 'utf8') });
    try {
      const exited = once(proc.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      const warmed = signal();
      let answered = 0;
      let signalled = false;
      const closes = new Array<number>(WORKERS).fill(0);
      // SIGTERM once every worker is busy; the workers keep sending while meshguard drains.
      void warmed.promise.then(() => {
        signalled = true;
        proc.child.kill('SIGTERM');
      });
      const results = await loops(WORKERS, async (w, i) => {
        const uid = `t${w}-${i}`;
        const body = JSON.stringify(admissionReview({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${w}` } }, { uid }));
        const answer = await postJson(agent, port, '/validate', body);
        assert.equal(answer.status, 200, answer.body);
        assert.deepEqual(JSON.parse(answer.body).response, { uid, allowed: true });
        if (++answered === WORKERS * 3) warmed.resolve();
        const closing = answer.headers.connection === 'close';
        if (closing) {
          assert.ok(signalled, `${uid}: Connection: close only once draining`);
          closes[w]!++;
        }
        // Each worker keeps its connection busy until the server says it closes it.
        return !closing;
      });
      assert.deepEqual(closes, new Array<number>(WORKERS).fill(1), 'every worker was told Connection: close once');
      assert.ok(results.every((n) => n >= 1));
      const [code, sig] = await exited;
      assert.deepEqual({ code, sig }, { code: 0, sig: null }, proc.tail());
    } finally {
      agent.destroy();
      await proc.stop();
    }
  });
});
