import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { readManifests } from '../../src/cli/manifests.js';
import type { OpaWasmEngine } from '../../src/policy/engine.js';
import { checkObjects } from '../../src/policy/offline.js';
import type { OrgConfig } from '../../src/org-config.js';
import { repoRoot } from '../support/paths.js';
import { builtinPack } from '../support/engine.js';

const rulesDir = path.join(repoRoot, 'policies', 'istio');
const ruleIds = readdirSync(rulesDir).filter((d) => existsSync(path.join(rulesDir, d, 'policy.rego'))).sort();

function samples(rule: string, kind: 'allowed' | 'denied'): string[] {
  const dir = path.join(rulesDir, rule, 'samples', kind);
  return existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f)) : [];
}

/**
 * The operation a sample is judged for, from its file name: `delete-*.yaml` judges deleting the
 * first document (the AdmissionReview's oldObject), `update-*.yaml` replacing the second document
 * (the stored version) with the first; any other name creates the first document.
 */
function sampleOperation(file: string): 'CREATE' | 'UPDATE' | 'DELETE' {
  const name = path.basename(file);
  return name.startsWith('delete-') ? 'DELETE' : name.startsWith('update-') ? 'UPDATE' : 'CREATE';
}

/**
 * Every rule's samples through the real Wasm engine and the same decision path as `meshguard
 * check`: the first document is the object under test, the others its inventory (see
 * sampleOperation for DELETE and UPDATE samples).
 */
describe('rule samples through the Node engine', () => {
  let engine: OpaWasmEngine;
  let org: OrgConfig;
  before(async () => {
    ({ engine, org } = await builtinPack());
  });

  it('the built-in bundle carries every rule folder in its catalog, and nothing else', () => {
    assert.deepEqual(Object.keys(engine.catalog).sort(), ruleIds);
  });

  it('on DELETE only the rules with delete- samples judge: deleting any sample\'s first object fires no other rule', async () => {
    const judgesDelete = new Set(ruleIds.filter((r) => [...samples(r, 'allowed'), ...samples(r, 'denied')].some((f) => sampleOperation(f) === 'DELETE')));
    const fired = new Set<string>();
    for (const rule of ruleIds) {
      for (const file of [...samples(rule, 'allowed'), ...samples(rule, 'denied')]) {
        const [first] = checkObjects(engine, org, await readManifests([file]), { namespace: 'default', operation: 'DELETE' });
        assert.equal(first?.error, undefined, `${file}: evaluation error`);
        for (const v of first?.violations ?? []) fired.add(v.id);
      }
    }
    assert.deepEqual([...fired].filter((id) => !judgesDelete.has(id)), []);
    assert.deepEqual([...fired].sort(), [...judgesDelete].sort());
  });

  for (const rule of ruleIds) {
    describe(rule, () => {
      it('has at least one allowed and one denied sample', () => {
        assert.ok(samples(rule, 'allowed').length > 0, `${rule} has no allowed sample`);
        assert.ok(samples(rule, 'denied').length > 0, `${rule} has no denied sample`);
      });
      for (const kind of ['denied', 'allowed'] as const) {
        for (const file of samples(rule, kind)) {
          it(`${kind}: ${path.basename(file)}`, async () => {
            const inputs = await readManifests([file]);
            const operation = sampleOperation(file);
            const oldObject = operation === 'UPDATE' ? inputs[1]?.object : undefined;
            assert.ok(operation !== 'UPDATE' || oldObject, `${file} has no stored version (second document)`);
            const [first] = checkObjects(engine, org, inputs, { namespace: 'default', operation, ...(oldObject ? { oldObject } : {}) });
            assert.ok(first, `${file} has an object`);
            assert.equal(first.error, undefined, `evaluation error: ${first.error}`);
            const mine = first.violations.filter((v) => v.id === rule);
            if (kind === 'denied') {
              assert.ok(mine.length > 0, `${rule} did not fire on ${file}; got ${JSON.stringify(first.violations.map((v) => v.id))}`);
              for (const v of mine) {
                assert.equal(v.enforcement, engine.catalog[rule]?.enforcement, 'the default enforcement from METADATA');
                assert.match(v.message, new RegExp(`^${first.kind} `), 'the message names the object');
              }
            } else {
              assert.deepEqual(mine, [], `${rule} fired on an allowed sample`);
            }
          });
        }
      }
    });
  }
});
