import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cliPath, repoRoot, sharedData } from '../support/paths.js';

const data = path.join(sharedData, 'istio-gateway-api-ambient');
const appDir = path.join(data, 'ambient-argo', 'application');

interface Result { kind: string; name: string; violations: Array<{ id: string; enforcement: string; message: string }> }

function check(args: string[], input?: string): Result[] {
  const r = spawnSync(process.execPath, [cliPath, 'check', '-o', 'json', ...args], { cwd: repoRoot, input, encoding: 'utf8', timeout: 60000 });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return (JSON.parse(r.stdout) as { results: Result[] }).results;
}

/** Findings of the ambient rules and of the sidecar-only pod rules, which must skip ambient pods. */
function ambientFindings(results: Result[]): string[] {
  const watched = /^(amb-|pod-proxy-resources-|pod-injection-disabled|pod-uid-1337)/;
  return results.flatMap((r) => r.violations.filter((v) => watched.test(v.id)).map((v) => `${r.kind} ${r.name}: [${v.id}] ${v.message}`));
}

describe('meshguard check over Istio\'s Gateway API and ambient samples', () => {
  it('the ambient and sidecar-only rules find nothing in the samples as shipped', () => {
    assert.deepEqual(ambientFindings(check([data])), []);
  });

  /** Ambient Bookinfo behind an ambient Namespace, with details and reviews bound to the given waypoints. */
  function bookinfo(waypoints: { details?: string; reviews?: string } = {}): string {
    const files = readdirSync(appDir).filter((f) => f.endsWith('.yaml') && f !== 'application.yaml' && f !== 'namespace.yaml').sort();
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ambient\n  labels:\n    istio.io/dataplane-mode: ambient\n';
    let text = [namespace, ...files.map((f) => readFileSync(path.join(appDir, f), 'utf8'))].join('\n---\n');
    for (const [svc, wp] of Object.entries(waypoints)) text = text.replace(`    service: ${svc}\n`, `    service: ${svc}\n    istio.io/use-waypoint: ${wp}\n`);
    return text;
  }

  it('nor in ambient Bookinfo once its namespace is labelled for ambient and its services use their waypoints', () => {
    const plain = check(['-n', 'ambient', '-'], bookinfo());
    assert.equal(plain.length, 26);
    assert.deepEqual(ambientFindings(plain), []);
    assert.deepEqual(ambientFindings(check(['-n', 'ambient', '-'], bookinfo({ details: 'bookinfo-details', reviews: 'bookinfo-reviews' }))), []);
  });

  it('names the Service whose waypoint label has a typo', () => {
    assert.deepEqual(ambientFindings(check(['-n', 'ambient', '-'], bookinfo({ details: 'bookinfo-details', reviews: 'bookinfo-review' }))), [
      'Service reviews: [amb-use-waypoint] Service ambient/reviews uses waypoint ambient/bookinfo-review, which does not exist (no Gateway of class istio-waypoint with that name), so its traffic bypasses the waypoint and the waypoint\'s L7 policies',
    ]);
  });
});
