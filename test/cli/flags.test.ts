import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cliPath, repoRoot } from '../support/paths.js';

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('meshguard flags', () => {
  it('--version prints the package version', () => {
    const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    assert.deepEqual(cli(['--version']), { code: 0, stdout: `${version}\n`, stderr: '' });
  });

  const invalid = 'meshguard: MG_ERR_CONFIG_INVALID: invalid configuration: policyMemoryMiB (flag --policy-memory-mib) must be a whole number from 16 to 4096, got "99999"\n';
  it('--policy-memory-mib sets policyMemoryMiB (its value is validated as that setting)', () => {
    assert.deepEqual(cli(['serve', '--kube', 'off', '--policy-memory-mib', '99999']), { code: 2, stdout: '', stderr: invalid });
  });

  it('the former --policy-memory-mi-b still sets it and is not shown in help', () => {
    assert.deepEqual(cli(['serve', '--kube', 'off', '--policy-memory-mi-b', '99999']), { code: 2, stdout: '', stderr: invalid });
    const help = cli(['serve', '--help']).stdout;
    assert.ok(help.includes('--policy-memory-mib <value>'), help);
    assert.ok(!help.includes('--policy-memory-mi-b'), help);
  });
});
