import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extractCatalog } from '../../../src/policy/build.js';
import { resolveOpa } from '../../../src/policy/opa-binary.js';

const rule = (custom: string) => `# METADATA
# title: Test rule
# description: |
#   Checks nothing. Second sentence.
# custom:
#   id: test-rule
#   severity: low
#   enforcement: warn
${custom}package meshguard.rules.test_rule

violation contains {"id": "test-rule", "message": "m", "details": {}} if false
`;

describe('rule catalog from METADATA', () => {
  let dir: string;
  let opa: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-catalog-'));
    opa = await resolveOpa();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function catalogOf(name: string, custom: string) {
    const policies = path.join(dir, name);
    await mkdir(path.join(policies, 'rule'), { recursive: true });
    await writeFile(path.join(policies, 'rule', 'policy.rego'), rule(custom));
    return extractCatalog(opa, policies);
  }

  it('reads fix, why and the description into the rule info', async () => {
    assert.deepEqual(await catalogOf('ok', "#   fix: 'Do the right thing.'\n#   why: 'nothing breaks'\n"), {
      'test-rule': {
        id: 'test-rule', title: 'Test rule', severity: 'low', enforcement: 'warn', package: 'data.meshguard.rules.test_rule',
        fix: 'Do the right thing.', why: 'nothing breaks', description: 'Checks nothing. Second sentence.',
      },
    });
  });

  it('fails the build for a rule without custom.fix, naming the rule', async () => {
    await assert.rejects(catalogOf('no-fix', ''), {
      code: 'MG_ERR_POLICY_BUILD',
      message: 'rule test-rule (data.meshguard.rules.test_rule) has no METADATA custom.fix: one imperative sentence saying how to fix a violation',
    });
    await assert.rejects(catalogOf('empty-fix', "#   fix: ' '\n"), { code: 'MG_ERR_POLICY_BUILD' });
  });
});
