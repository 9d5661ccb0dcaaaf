import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cliPath, repoRoot } from '../support/paths.js';
import { reviewsRoute, SHOP_MESH, snapshotFile, snapshotOf } from '../support/snapshots.js';

describe('meshguard check --snapshot', () => {
  it('judges manifests against the mesh in the snapshot, without cluster credentials', async () => {
    const taken = new Date(Date.now() - 5_000);
    const { bytes, header } = await snapshotOf(SHOP_MESH, taken);
    const file = await snapshotFile(bytes);
    const manifest = path.join(path.dirname(file), 'vs.json');
    await writeFile(manifest, JSON.stringify(reviewsRoute('v2')));
    const env = { ...process.env, KUBECONFIG: '/nonexistent' };
    const withSnapshot = spawnSync(process.execPath, [cliPath, 'check', '-o', 'json', '--snapshot', file, manifest], { cwd: repoRoot, encoding: 'utf8', timeout: 60000, env });
    assert.equal(withSnapshot.status, 1, withSnapshot.stderr);
    assert.match(withSnapshot.stderr, new RegExp(`^meshguard check: judged against snapshot ${header.digest} \\(2 objects, taken ${taken.toISOString()}, \\d+ s ago\\)\\n$`));
    const [result] = (JSON.parse(withSnapshot.stdout) as { results: Array<{ allowed: boolean; violations: Array<{ id: string; message: string }> }> }).results;
    assert.deepEqual(result?.violations.map((v) => [v.id, v.message]), [
      ['vs-subset-exists', 'VirtualService shop/reviews routes to subset v2 of host reviews (spec.http[0].route[0].destination), but no DestinationRule for reviews.shop.svc.cluster.local defines it'],
    ]);
    // A route to the subset the snapshot's DestinationRule defines passes; without the snapshot the
    // same file is judged alone, and no DestinationRule defines the subset.
    await writeFile(manifest, JSON.stringify(reviewsRoute('v1')));
    const defined = spawnSync(process.execPath, [cliPath, 'check', '--snapshot', file, manifest], { cwd: repoRoot, encoding: 'utf8', timeout: 60000, env });
    assert.equal(defined.status, 0, defined.stdout);
    const alone = spawnSync(process.execPath, [cliPath, 'check', manifest], { cwd: repoRoot, encoding: 'utf8', timeout: 60000, env });
    assert.equal(alone.status, 1, alone.stdout);
  });
});
