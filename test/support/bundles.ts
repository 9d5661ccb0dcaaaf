import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildPolicyBundle } from '../../src/policy/build.js';
import { resolveOpa } from '../../src/policy/opa-binary.js';
import { repoRoot } from './paths.js';

/**
 * Builds a real bundle (opa build -t wasm) from meshguard's main, the core lib and the given rule files,
 * e.g. `{ 'boom/policy.rego': '...' }`. Returns the bundle path.
 */
export async function buildTestBundle(rules: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-bundle-'));
  const src = path.join(dir, 'policies');
  await cp(path.join(repoRoot, 'policies', 'main'), path.join(src, 'main'), { recursive: true });
  await mkdir(path.join(src, 'lib'));
  for (const lib of ['kube.rego', 'istio.rego', 'istio_hosts.rego']) await cp(path.join(repoRoot, 'policies', 'lib', lib), path.join(src, 'lib', lib));
  for (const [file, text] of Object.entries(rules)) {
    await mkdir(path.dirname(path.join(src, 'rules', file)), { recursive: true });
    await writeFile(path.join(src, 'rules', file), text);
  }
  const output = path.join(dir, 'bundle.tar.gz');
  await buildPolicyBundle({ opa: await resolveOpa(), policyDir: src, output, skipTests: true });
  return output;
}

/** A rule that denies any object carrying the label `test/deny` (id `test-label`). */
export const LABEL_RULE = `# METADATA
# title: Test rule
# custom:
#   id: test-label
#   severity: low
#   enforcement: deny
#   fix: Remove what the test rule looks for.
package meshguard.rules.test_label

import data.meshguard.lib

violation contains {"id": "test-label", "message": sprintf("%s %s carries test/deny", [lib.kind, lib.name]), "details": {}} if {
	lib.writes
	lib.labels["test/deny"]
}
`;

/** A rule that exhausts Wasm memory when the object is annotated `test/boom` (id `test-boom`). */
export const BOOM_RULE = `# METADATA
# title: Exhausts memory on request
# custom:
#   id: test-boom
#   severity: low
#   enforcement: deny
#   fix: Remove what the test rule looks for.
package meshguard.rules.test_boom

import data.meshguard.lib

violation contains {"id": "test-boom", "message": "boom", "details": {}} if {
	lib.annotations["test/boom"]
	count(numbers.range(1, 200000000)) > 0
}
`;

/**
 * A rule whose evaluation runs for minutes in opa-wasm, in bounded memory, when the object is
 * annotated `test/slow` (id `test-slow`): the product of a thousand tens, the big-number
 * arithmetic that made a `1e1000` quantity hang the webhook.
 */
export const SLOW_RULE = `# METADATA
# title: Evaluates for minutes on request
# custom:
#   id: test-slow
#   severity: low
#   enforcement: deny
#   fix: Remove what the test rule looks for.
package meshguard.rules.test_slow

import data.meshguard.lib

violation contains {"id": "test-slow", "message": "slow", "details": {}} if {
	lib.annotations["test/slow"]
	product([10 | some _ in numbers.range(1, 1000)]) > 5
}
`;

/** A rule that denies objects named in the pushed data's `config.blocked` list (id `test-data`). */
export const DATA_RULE = `# METADATA
# title: Reads the pushed data
# custom:
#   id: test-data
#   severity: low
#   enforcement: deny
#   fix: Remove what the test rule looks for.
package meshguard.rules.test_data

import data.meshguard.lib

violation contains {"id": "test-data", "message": sprintf("%s is blocked", [lib.name]), "details": {}} if {
	some blocked in data.meshguard.config.blocked
	blocked == lib.name
}
`;
