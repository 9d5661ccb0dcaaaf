import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as opaModule from '@open-policy-agent/opa-wasm';
import { readManifests } from '../../src/cli/manifests.js';
import { OpaWasmEngine, type EngineData, type PolicyEngine } from '../../src/policy/engine.js';
import { entryKind } from '../../src/policy/kind-entrypoints.js';
import { checkObjects, type CheckResult } from '../../src/policy/offline.js';
import type { OrgConfig } from '../../src/org-config.js';
import type { Violation } from '../../src/policy/types.js';
import { repoRoot, sharedData } from '../support/paths.js';
import { builtinPack } from '../support/engine.js';

/**
 * The engine with the full entrypoint (`meshguard/main/violations`, every rule): an AdmissionReview
 * given as raw bytes and no kind takes it, so the per-kind entrypoints can be compared with it.
 */
class FullEntrypoint implements PolicyEngine {
  constructor(private readonly engine: OpaWasmEngine) {}
  get version(): string {
    return this.engine.version;
  }
  get catalog(): OpaWasmEngine['catalog'] {
    return this.engine.catalog;
  }
  evaluate(review: object): Violation[] {
    const bytes = new TextEncoder().encode(JSON.stringify(review));
    return this.engine.evaluate(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  }
  setData(data: EngineData): void {
    this.engine.setData(data);
  }
}

// The SDK's ESM entry exports a default object holding the loaders.
const opa = (opaModule as unknown as { default: typeof opaModule }).default;

const rulesDir = path.join(repoRoot, 'policies', 'istio');

function sampleDirs(): string[] {
  return readdirSync(rulesDir).sort().map((rule) => path.join(rulesDir, rule, 'samples')).filter((dir) => existsSync(dir));
}

function decisions(results: CheckResult[]): unknown[] {
  return results.map((r) => ({ kind: r.kind, name: r.name, allowed: r.allowed, error: r.error, violations: r.violations }));
}

/**
 * Per-kind entrypoints decide exactly as the full entrypoint: every rule's samples (each folder as
 * one input set, as `meshguard check` reads it) and the ../shared/data corpus, whole results compared.
 */
describe('per-kind entrypoints against the full entrypoint', () => {
  let engine: OpaWasmEngine;
  let org: OrgConfig;
  before(async () => {
    ({ engine, org } = await builtinPack());
  });

  it('the built-in bundle has per-kind entrypoints besides the full one', () => {
    const names = Object.keys(opa.loadPolicySync(engine.module).entrypoints);
    for (const name of ['meshguard/main/violations', 'meshguard/kinds/VirtualService/violations', 'meshguard/kinds/Pod/violations', 'meshguard/kinds/Deployment/violations']) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
    const rules = Object.values(engine.catalog);
    const expected = new Set(rules.flatMap((r) => (r.kinds ?? []).map(entryKind)));
    if (rules.some((r) => !r.kinds?.length)) expected.add('other');
    assert.deepEqual(names.filter((n) => n.startsWith('meshguard/kinds/')).sort(), [...expected].map((k) => `meshguard/kinds/${k}/violations`).sort());
  });

  it('every rule sample folder gets the same decisions', async () => {
    let denied = 0;
    for (const dir of sampleDirs()) {
      const inputs = await readManifests([dir]);
      const perKind = checkObjects(engine, org, inputs, { namespace: 'default' });
      const full = checkObjects(new FullEntrypoint(engine), org, inputs, { namespace: 'default' });
      assert.deepEqual(decisions(perKind), decisions(full), dir);
      denied += perKind.filter((r) => !r.allowed).length;
    }
    assert.ok(denied > 50, `the samples deny ${denied} objects: the comparison must cover denials`);
  });

  it('the shared corpus gets the same decisions', async () => {
    const inputs = (await readManifests([sharedData])).filter((i) => typeof i.object.kind === 'string');
    const perKind = checkObjects(engine, org, inputs, { namespace: 'default' });
    const full = checkObjects(new FullEntrypoint(engine), org, inputs, { namespace: 'default' });
    assert.deepEqual(decisions(perKind), decisions(full));
    assert.ok(perKind.some((r) => r.violations.length > 0), 'the corpus has findings to compare');
  });
});
