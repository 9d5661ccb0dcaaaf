import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cliPath, repoRoot, sharedData } from '../support/paths.js';

const appDir = path.join(sharedData, 'istio-gateway-api-ambient', 'ambient-argo', 'application');

/** Istio's ambient Bookinfo (without its Argo Application and unlabelled Namespace) behind a Namespace with the given labels. */
function bookinfo(nsLabels: Record<string, string>): string {
  const labels = Object.entries(nsLabels).map(([k, v]) => `    ${k}: ${v}\n`).join('');
  const namespace = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ambient\n  labels:\n${labels}`;
  const files = readdirSync(appDir).filter((f) => f.endsWith('.yaml') && f !== 'application.yaml' && f !== 'namespace.yaml').sort();
  return [namespace, ...files.map((f) => readFileSync(path.join(appDir, f), 'utf8'))].join('\n---\n');
}

interface Entry { kind: string; name: string; applied: string[]; patch: Array<{ path: string }> }

function mutate(input: string): { entries: Entry[]; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, 'mutate', '--templates', '-n', 'ambient', '--output', 'patch', '-'], { cwd: repoRoot, input, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  return { entries: JSON.parse(r.stdout) as Entry[], stderr: r.stderr };
}

const DEPLOYMENTS = ['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3'];

describe('meshguard mutate over Istio\'s ambient Bookinfo', () => {
  it('sizes no ambient pod and changes nothing at all, saying why for each Deployment', () => {
    const { entries, stderr } = mutate(bookinfo({ 'istio.io/dataplane-mode': 'ambient' }));
    assert.deepEqual(entries.filter((e) => e.applied.length > 0 || e.patch.length > 0), []);
    assert.deepEqual(entries.filter((e) => e.kind === 'Deployment').map((e) => e.name), DEPLOYMENTS);
    const notes = stderr.trim().split('\n').map((l) => l.replace(/^<stdin>:\d+ /, ''));
    assert.deepEqual(notes, DEPLOYMENTS.map((d) => `Deployment ${d}: sidecar-resources: Deployment spec.template: the pod runs in ambient mode (ztunnel), without a sidecar; left unchanged`));
  });

  it('sizes the same Deployments once the namespace injects sidecars instead', () => {
    const { entries } = mutate(bookinfo({ 'istio-injection': 'enabled' }));
    const sized = entries.filter((e) => e.applied.includes('sidecar-resources')).map((e) => e.name);
    assert.deepEqual(sized, DEPLOYMENTS);
  });
});
