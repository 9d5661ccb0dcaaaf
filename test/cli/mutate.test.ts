import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { cliPath, repoRoot, sharedData } from '../support/paths.js';

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('meshguard mutate', () => {
  const seed = path.join(sharedData, 'seed-examples', '6.1-deployment-sidecar-annotations.yaml');

  it('completes the two missing proxy annotations of seed 6.1, keeping the user values (--output patch)', () => {
    const r = cli(['mutate', '--templates', '--output', 'patch', seed]);
    assert.equal(r.code, 0, r.stderr);
    const [entry] = JSON.parse(r.stdout) as Array<{ applied: string[]; patch: Array<{ op: string; path: string; value: unknown }> }>;
    assert.deepEqual(entry!.applied, ['sidecar-resources', 'telemetry-defaults']);
    const byPath = Object.fromEntries(entry!.patch.map((op) => [op.path, [op.op, op.value]]));
    assert.deepEqual(byPath['/spec/template/metadata/annotations/sidecar.istio.io~1proxyCPULimit'], ['add', '250m']);
    assert.deepEqual(byPath['/spec/template/metadata/annotations/sidecar.istio.io~1proxyMemoryLimit'], ['add', '256Mi']);
    assert.deepEqual(byPath['/spec/template/metadata/annotations/proxy.istio.io~1config'], ['add', '{"holdApplicationUntilProxyStarts":true}']);
    assert.deepEqual(byPath['/metadata/annotations'], ['add', { 'meshguard.io/mutations': 'sidecar-resources,telemetry-defaults' }]);
    const sizing = JSON.parse((byPath['/spec/template/metadata/annotations/meshguard.io~1sidecar-sizing'] as [string, string])[1]);
    assert.deepEqual(sizing.rules, { cpu: 'user', cpuLimit: 'ratio', memory: 'user', memoryLimit: 'ratio' });
    assert.equal(Object.keys(byPath).length, 5, 'nothing else changes');
  });

  it('prints mutated YAML that a second run leaves unchanged', () => {
    const first = cli(['mutate', '--templates', seed]);
    assert.equal(first.code, 0, first.stderr);
    const [doc] = parseAllDocuments(first.stdout).map((d) => d.toJS());
    const annotations = doc.spec.template.metadata.annotations;
    assert.deepEqual(
      ['proxyCPU', 'proxyCPULimit', 'proxyMemory', 'proxyMemoryLimit'].map((k) => annotations[`sidecar.istio.io/${k}`]),
      ['100m', '250m', '128Mi', '256Mi'],
    );
    const again = spawnSync(process.execPath, [cliPath, 'mutate', '--templates', '--output', 'patch', '-'], { cwd: repoRoot, input: first.stdout, encoding: 'utf8', timeout: 60000 });
    assert.deepEqual(JSON.parse(again.stdout).map((e: { patch: unknown[] }) => e.patch), [[]]);
  });

  it('takes every workload of the Istio samples and the seed examples without error', () => {
    const r = cli(['mutate', '--templates', '--output', 'json', path.join(sharedData, 'istio-samples', 'workloads'), path.join(sharedData, 'seed-examples')]);
    assert.equal(r.code, 0, r.stderr);
    const objects = JSON.parse(r.stdout) as Array<{ kind: string }>;
    assert.ok(objects.filter((o) => o.kind === 'Deployment').length >= 20);
  });
});
