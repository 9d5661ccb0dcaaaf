import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readQuantity } from '../../../src/mutation/index.js';
import { repoRoot } from '../../support/paths.js';

interface Case {
  in: unknown;
  k8s: boolean;
  nanos?: string;
  error?: string;
}

/** The table `opa test` runs too (policies/lib/quantity_test.rego): one semantics for both. */
export const quantityCases: Case[] = (
  JSON.parse(readFileSync(path.join(repoRoot, 'policies', 'lib', 'testdata', 'quantities.json'), 'utf8')) as { cases: Case[] }
).cases;

function outcome(value: unknown): { nanos: string } | { error: string } {
  const q = readQuantity(value);
  return 'error' in q ? { error: q.error } : { nanos: q.nanos.toString() };
}

function label(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 20)}…(${text.length} chars)` : text;
}

describe('the shared quantity table through the TypeScript parser', () => {
  it('holds the cases the issue names', () => {
    const inputs = new Set(quantityCases.map((c) => c.in));
    for (const q of ['1e1000', '1e600', '1e800', '1e-1000', '.5', '5.', '1.5Gi', '0', ' 1', '1 ', '', 'Ki', '1KiB', '-1', '+1']) {
      assert.ok(inputs.has(q), `missing ${JSON.stringify(q)}`);
    }
    assert.ok(quantityCases.some((c) => typeof c.in === 'string' && c.in.length >= 1000), 'a 1,000-digit number');
    assert.ok(quantityCases.some((c) => typeof c.in === 'number'), 'JSON numbers');
  });

  for (const c of quantityCases) {
    it(`${label(c.in)} -> ${c.nanos ?? c.error}`, () => {
      assert.deepEqual(outcome(c.in), c.nanos !== undefined ? { nanos: c.nanos } : { error: c.error });
    });
  }

  it('rejects exactly what Kubernetes rejects, and beyond that only values too large', () => {
    for (const c of quantityCases) {
      const o = outcome(c.in);
      if (!c.k8s) assert.ok('error' in o && o.error !== 'too large', `${label(c.in)}: Kubernetes rejects it`);
      else assert.ok(!('error' in o) || o.error === 'too large', `${label(c.in)}: Kubernetes accepts it`);
    }
  });
});
