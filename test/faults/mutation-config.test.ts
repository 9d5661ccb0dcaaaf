import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import request from 'supertest';
import { nextReload, orgConfigFile, testServer, writeAtomically } from '../support/server.js';

// A bad `mutation:` section is an org config error like any other: at start it fails naming the
// key; on reload the previous org config (and its mutation settings) keeps serving.
describe('a bad mutation section of the org config', () => {
  it('fails the start naming the key, not the first request', async () => {
    const file = await orgConfigFile('mutation:\n  sidecar:\n    ratios:\n      cpu: lots\n');
    await assert.rejects(testServer({ orgConfig: file }), (err: Error) => {
      assert.match(err.message, /: mutation\.sidecar\.ratios\.cpu: expected a number from 0 to 100$/);
      return true;
    });
  });

  it('on reload keeps the previous config serving, degraded, and names the key', { timeout: 120_000 }, async () => {
    const file = await orgConfigFile('mutation:\n  maxPasses: 4\n');
    const server = await testServer({ orgConfig: file });
    try {
      const before = server.services.policy.org;
      assert.equal(before.mutation.maxPasses, 4);
      const reloaded = nextReload(server, 'orgConfig');
      await writeAtomically(file, 'mutation:\n  maxPasses: 40\n');
      assert.deepEqual(await reloaded, { source: 'orgConfig', result: 'failure' });
      assert.equal(server.services.policy.org, before, 'the previous org config serves');
      const ready = await request(server.probes.server).get('/readyz').expect(200);
      const check = ready.body.checks.orgConfig as { ok: boolean; degraded: { failed: string } };
      assert.equal(check.ok, true);
      assert.equal(check.degraded.failed, 'org config org.yaml: mutation.maxPasses: expected an integer from 2 to 10');
    } finally {
      await server.close();
    }
  });
});
