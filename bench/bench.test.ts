/**
 * Smoke run of the benchmark machinery: starts the real meshguard (`serve`, built-in pack, HTTPS)
 * and the floor as processes, checks every answer they give, drives each for about a second at
 * two connections and checks that requests were served without errors. No timing assertions:
 * speed is measured by `npm run bench`, never asserted.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { selfSignedCertificate } from '../src/tls/certificates.js';
import { floorEndpoint, meshguardEndpoint, type Endpoint } from './endpoints.js';
import { drive } from './load.js';
import { deniedPayload, mutatePayloads, validatePayloads, type Payload } from './payloads.js';
import { floorSpec, meshguardSpec, startServer, type RunningServer } from './servers.js';
import { verifyEndpoint } from './verify.js';

const NO_PIN = { enabled: false, serverPrefix: [], describe: 'not pinned' };

describe('bench smoke run', { timeout: 60_000 }, () => {
  let workDir: string;
  let payloads: Payload[];
  const servers: RunningServer[] = [];
  const endpoints: Record<'meshguard' | 'floor', Endpoint | undefined> = { meshguard: undefined, floor: undefined };

  before(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-bench-test-'));
    const cert = await selfSignedCertificate();
    const certFiles = { cert: path.join(workDir, 'cert.pem'), key: path.join(workDir, 'key.pem') };
    await writeFile(certFiles.cert, cert.cert);
    await writeFile(certFiles.key, cert.key);
    payloads = [...validatePayloads(), deniedPayload(), ...mutatePayloads()];
    const readyBody = payloads[0]?.body ?? '';
    const [mg, floor] = await Promise.all([
      startServer(meshguardSpec({ logLevel: 'warn', workDir, readyBody }), NO_PIN),
      startServer(floorSpec({ certFiles, workDir, readyBody }), NO_PIN),
    ]);
    servers.push(mg, floor);
    endpoints.meshguard = meshguardEndpoint(mg);
    endpoints.floor = floorEndpoint(floor);
  });

  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await rm(workDir, { recursive: true, force: true });
  });

  it('meshguard answers every payload correctly: uid, allowed, denial with the rule, sidecar patch', async () => {
    assert.deepEqual(await verifyEndpoint(endpoints.meshguard as Endpoint, payloads), []);
  });

  it('the floor answers every payload allowed with the uid', async () => {
    assert.deepEqual(await verifyEndpoint(endpoints.floor as Endpoint, payloads), []);
  });

  it('the answer check is not vacuous: the floor, taken for a policy engine, fails on the denied sample', async () => {
    const pretending = { ...(endpoints.floor as Endpoint), judges: true, patches: true };
    const problems = await verifyEndpoint(pretending, payloads);
    assert.deepEqual(problems, [
      'floor /validate denied-authorizationpolicy: allowed true (no message), expected false',
      'floor /mutate pod: no JSONPatch in the answer',
    ]);
  });

  for (const name of ['meshguard', 'floor'] as const) {
    for (const webhook of ['validate', 'mutate'] as const) {
      it(`drives ${name} /${webhook} for a second with no errors and only correct answers`, async () => {
        const allowed = payloads.filter((p) => p.allowed);
        const result = await drive(endpoints[name] as Endpoint, webhook, allowed, { connections: 2, durationS: 1, warmupS: 0 });
        assert.ok(result.requests > 0, `no request was answered: ${JSON.stringify(result)}`);
        assert.equal(result.errors, 0, `errors: ${JSON.stringify(result)}`);
        assert.equal(result.mismatches, 0);
        assert.ok(result.serverCpuPct > 0 && result.peakRssMiB > 0, 'server CPU and memory were read from /proc');
      });
    }
  }
});
