import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { loadOrgConfig } from '../../src/org-config.js';
import { readBundle } from '../../src/policy/bundle.js';
import { OpaWasmEngine } from '../../src/policy/engine.js';
import { admissionReview } from '../support/fixtures.js';
import { builtinBundle, repoRoot } from '../support/paths.js';

interface Case {
  in: unknown;
  nanos?: string;
  error?: string;
}

const cases = (JSON.parse(readFileSync(path.join(repoRoot, 'policies', 'lib', 'testdata', 'quantities.json'), 'utf8')) as { cases: Case[] }).cases
  .filter((c): c is Case & { in: string } => typeof c.in === 'string');

const CPU_MIN = 50_000_000n;
const CPU_MAX = 2_000_000_000n;

/** What pod-proxy-resources-range must say about proxyCPU = c.in under the default bounds 50m..2. */
function expected(c: Case): string | undefined {
  if (c.error === 'too large') return 'too large';
  if (c.error !== undefined) return 'invalid';
  const nanos = BigInt(c.nanos ?? '0');
  if (nanos < CPU_MIN) return 'below';
  if (nanos > CPU_MAX) return 'above';
  return undefined;
}

function verdict(message: string): string {
  if (message.includes('which is not a valid quantity')) return 'invalid';
  if (message.includes('which is too large for a quantity')) return 'too large';
  if (message.includes(', below the org minimum of 50m')) return 'below';
  if (message.includes(', above the org maximum of 2')) return 'above';
  return `unexpected message: ${message}`;
}

/**
 * The shared quantity table through the compiled Wasm (the Rego parser as the webhook runs it):
 * every string case as a Pod's proxyCPU, judged by pod-proxy-resources-range against 50m..2.
 */
describe('the shared quantity table through the Wasm engine', () => {
  let engine: OpaWasmEngine;
  before(async () => {
    engine = await OpaWasmEngine.create(await readBundle(builtinBundle));
    engine.setData({ config: (await loadOrgConfig()).raw, inventory: {} });
  });

  it('the bundle does not ship the table (opa build leaves testdata/ out)', async () => {
    const bundle = await readBundle(builtinBundle);
    assert.deepEqual(Object.keys(bundle.data), ['meshguard']);
  });

  for (const c of cases) {
    const shown = c.in.length > 40 ? `${c.in.slice(0, 20)}…(${c.in.length} chars)` : JSON.stringify(c.in);
    it(`proxyCPU ${shown}: ${expected(c) ?? 'within bounds'}`, () => {
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { 'sidecar.istio.io/proxyCPU': c.in } }, spec: { containers: [] } };
      const found = engine.evaluate(admissionReview(pod, { namespace: 'shop' })).filter((v) => v.id === 'pod-proxy-resources-range');
      assert.deepEqual(found.map((v) => verdict(v.message)), expected(c) === undefined ? [] : [expected(c)]);
    });
  }
});
