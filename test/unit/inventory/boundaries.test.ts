import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../support/paths.js';

/** Every relative import of the TypeScript files under src/<folder> (recursively), as `file -> target`. */
function imports(folder: string): string[] {
  const dir = path.join(repoRoot, 'src', folder);
  const found: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts')) continue;
    const text = readFileSync(path.join(dir, entry), 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)) {
      const target = path.relative(path.join(repoRoot, 'src'), path.resolve(path.dirname(path.join(dir, entry)), m[1] as string));
      found.push(`${folder}/${entry} -> ${target}`);
    }
  }
  return found;
}

const into = (list: string[], folder: string): string[] => list.filter((l) => l.split(' -> ')[1]?.startsWith(`${folder}/`));

describe('folder boundaries', () => {
  it('kube/ (cluster access) does not import policy/ or mutation/', () => {
    const list = imports('kube');
    assert.ok(list.length > 5, 'the scan found the imports of kube/');
    assert.deepEqual([...into(list, 'policy'), ...into(list, 'mutation')], []);
  });

  it('policy/ does not import kube/', () => {
    const list = imports('policy');
    assert.ok(list.length > 5, 'the scan found the imports of policy/');
    assert.deepEqual(into(list, 'kube'), []);
  });

  it('the mesh model and the inventory import neither side', () => {
    const list = [...imports('mesh'), ...imports('inventory')];
    assert.deepEqual([...into(list, 'kube'), ...into(list, 'policy'), ...into(list, 'mutation')], []);
  });
});
