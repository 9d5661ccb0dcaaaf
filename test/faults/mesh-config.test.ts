import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cliPath, repoRoot } from '../support/paths.js';

// An unreadable Istio mesh config given to `meshguard check`: unreadable input (exit 2) with a
// message naming the ConfigMap and key, never a stack trace.
describe("an unreadable Istio mesh config given to check", () => {
  for (const [what, mesh, detail] of [
    ['not YAML', 'a: [', 'is not valid YAML: '],
    ['not a mapping', '- a\\n- b', 'must be a YAML mapping'],
  ] as const) {
    it(`key mesh ${what}: exit 2 naming ConfigMap and key`, async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-badmesh-'));
      await writeFile(path.join(dir, 'cm.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: "${mesh}"\n`);
      const r = spawnSync(process.execPath, [cliPath, 'check', dir], { cwd: repoRoot, encoding: 'utf8', timeout: 60000 });
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.ok(r.stderr.startsWith(`meshguard: MG_ERR_INPUT_UNREADABLE: cannot read Istio's mesh config: ConfigMap istio-system/istio key mesh ${detail}`), r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }
});
