import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SETTINGS, envName, flagName } from '../../src/config.js';
import { AUTHORIZATION_RULE } from '../../src/policy/message.js';
import type { RuleInfo } from '../../src/policy/types.js';
import { KUBECTL_CASES } from '../e2e/kubectl-expected.js';
import { cliPath, repoRoot } from '../support/paths.js';

describe('documentation stays in step with the code', () => {
  it('docs/rules.md is what `meshguard policies list` prints for the built-in pack', () => {
    const r = spawnSync(process.execPath, [cliPath, 'policies', 'list'], { cwd: repoRoot, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(path.join(repoRoot, 'docs', 'rules.md'), 'utf8'), r.stdout, 'regenerate with: node dist/src/cli/index.js policies list > docs/rules.md');
  });

  it('every rule of the catalog has a fix and a section in docs/rules.md whose anchor is its id, and a row in the defaults table', () => {
    const r = spawnSync(process.execPath, [cliPath, 'policies', 'list', '--output', 'json'], { cwd: repoRoot, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    const catalog = JSON.parse(r.stdout) as Record<string, RuleInfo>;
    const doc = readFileSync(path.join(repoRoot, 'docs', 'rules.md'), 'utf8');
    const ids = [...Object.keys(catalog), AUTHORIZATION_RULE.id];
    assert.ok(Object.keys(catalog).length >= 72, 'the built-in pack');
    for (const id of ids) {
      const info = id === AUTHORIZATION_RULE.id ? AUTHORIZATION_RULE : catalog[id];
      assert.match(info?.fix ?? '', /^[A-Z].*\.$/, `${id} has a fix sentence`);
      assert.ok(doc.includes(`\n### ${id}\n`), `docs/rules.md has the section #${id}`);
      assert.ok(doc.includes(`\n- Fix: ${info?.fix}\n`), `docs/rules.md gives the fix of ${id}`);
    }
    for (const id of Object.keys(catalog)) assert.ok(doc.includes(`\n| [\`${id}\`](#${id}) | ${catalog[id]?.enforcement}`), `the defaults table has ${id}`);
  });

  it('the README configuration reference names every setting with its env var and flag', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    for (const s of SETTINGS) {
      assert.ok(readme.includes(`| \`${s.key}\` | \`${envName(s.key)}\` | \`${flagName(s.key)}\` |`), `README documents ${s.key}`);
    }
  });

  it('the README section "What kubectl prints" shows every text the kubectl e2e asserts', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## What kubectl prints'), readme.indexOf('\n## ', readme.indexOf('## What kubectl prints') + 1));
    const lines = new Set(section.split('\n'));
    for (const c of KUBECTL_CASES) {
      // A server dry run prints what the real apply prints, plus " (server dry run)".
      for (const line of `${c.stdout}${c.stderr}`.replaceAll(' (server dry run)', '').split('\n').filter(Boolean)) {
        assert.ok(lines.has(line), `README "What kubectl prints" lacks: ${line}`);
      }
    }
  });
});
