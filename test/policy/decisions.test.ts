import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { baselinePath, recordDecisions, type DecisionSets } from './decisions.js';

/**
 * Decisions unchanged: every rule sample, every manifest of ../shared/data (alone and all together)
 * and a generated mesh give the verdicts and violations recorded in decisions-baseline.json
 * (`npm run decisions:baseline` records it again after a deliberate change of the rules).
 */
describe('decisions against the recorded baseline (trimmed objects, with the index)', async () => {
  const baseline = JSON.parse(await readFile(baselinePath, 'utf8')) as DecisionSets;
  const now = await recordDecisions();

  it('covers the same input sets', () => {
    assert.deepEqual(Object.keys(now).sort(), Object.keys(baseline).sort());
  });

  for (const [set, decisions] of Object.entries(baseline)) {
    it(set, () => {
      assert.deepEqual(now[set], decisions);
    });
  }
});

/**
 * Trimming and the index change nothing: the same corpus with whole objects and no index (every
 * rule scans the inventory, as before the index) gives the same decisions as the webhook's path.
 * Unlike the baseline, this holds for rules added later without recording anything.
 */
describe('decisions with whole objects and no index equal the webhook path', async () => {
  const [served, plain] = [await recordDecisions(), await recordDecisions(undefined, { trim: false, index: false })];
  for (const set of Object.keys(served)) {
    it(set, () => {
      assert.deepEqual(served[set], plain[set]);
    });
  }
});
