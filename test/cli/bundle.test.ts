import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cliPath, repoRoot } from '../support/paths.js';

/** The start-up bundle `npm run build` makes (scripts/bundle.mjs): what `bin` and the image run. */
const bundlePath = path.join(repoRoot, 'dist', 'bundle', 'meshguard.js');

function run(entry: string, args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [entry, ...args], { cwd: repoRoot, input, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the start-up bundle', () => {
  it('checks manifests exactly as the compiled modules do (the built-in pack, the CRDs and the org config found from dist/bundle)', () => {
    const samples = path.join(repoRoot, 'policies', 'istio', 'vs-subset-exists', 'samples');
    const bundled = run(bundlePath, ['check', '-o', 'json', samples]);
    const modules = run(cliPath, ['check', '-o', 'json', samples]);
    assert.equal(bundled.stderr, modules.stderr);
    assert.equal(bundled.code, modules.code);
    assert.equal(bundled.stdout, modules.stdout);
    assert.equal(bundled.code, 1, 'the denied sample is denied');
    assert.match(bundled.stdout, /"id": "vs-subset-exists"/);
  });

  it('mutates a Pod from stdin exactly as the compiled modules do', () => {
    const pod = JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels: { 'sidecar.istio.io/inject': 'true' } },
      spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
    });
    const bundled = run(bundlePath, ['mutate', '-o', 'patch', '-'], pod);
    const modules = run(cliPath, ['mutate', '-o', 'patch', '-'], pod);
    assert.equal(bundled.code, 0, bundled.stderr);
    assert.equal(bundled.stdout, modules.stdout);
    assert.match(bundled.stdout, /"sidecar\.istio\.io\/proxyCPU": "50m"/);
  });
});
