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

  it('completes the two missing proxy annotations of seed 6.1, keeping the user values, and says so (--output patch)', () => {
    const r = cli(['mutate', '--templates', '--output', 'patch', seed]);
    assert.equal(r.code, 0, r.stderr);
    const template = '/spec/template/metadata/annotations';
    const record = {
      cpu: { value: '100m', setBy: 'you', source: 'your annotation sidecar.istio.io/proxyCPU' },
      cpuLimit: { value: '250m', setBy: 'meshguard', source: "25% of the app's cpu limit 1" },
      memory: { value: '128Mi', setBy: 'you', source: 'your annotation sidecar.istio.io/proxyMemory' },
      memoryLimit: { value: '256Mi', setBy: 'meshguard', source: "25% of the app's memory limit 1Gi" },
      app: { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' },
    };
    const warnings = [
      "meshguard: completed the istio-proxy sidecar resources of the pod template spec.template: cpu limit 250m (25% of the app's cpu limit 1), memory limit 256Mi (25% of the app's memory limit 1Gi); kept yours: cpu request 100m, memory request 128Mi",
      'meshguard: added holdApplicationUntilProxyStarts: true to proxy.istio.io/config of the pod template spec.template (org defaults for pods Istio injects)',
    ];
    assert.deepEqual(JSON.parse(r.stdout), [{
      file: seed, line: 1, kind: 'Deployment', name: 'my-app',
      applied: ['sidecar-resources', 'telemetry-defaults'],
      patch: [
        { op: 'add', path: `${template}/sidecar.istio.io~1proxyCPULimit`, value: '250m' },
        { op: 'add', path: `${template}/sidecar.istio.io~1proxyMemoryLimit`, value: '256Mi' },
        { op: 'add', path: `${template}/meshguard.io~1sidecar-sizing`, value: JSON.stringify(record) },
        { op: 'add', path: `${template}/proxy.istio.io~1config`, value: '{"holdApplicationUntilProxyStarts":true}' },
        { op: 'add', path: '/metadata/annotations', value: { 'meshguard.io/mutations': 'sidecar-resources,telemetry-defaults' } },
      ],
      warnings,
    }]);
    const where = `${seed}:1 Deployment my-app`;
    assert.deepEqual(r.stderr.split('\n').filter((l) => l.startsWith(`${where}: meshguard: `)), warnings.map((w) => `${where}: ${w}`));
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
