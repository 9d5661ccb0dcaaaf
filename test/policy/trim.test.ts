import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ENGINE_FIELDS, METADATA_FIELDS, SPEC_FIELDS, trimForEngine } from '../../src/policy/trim.js';
import { repoRoot } from '../support/paths.js';

/** Every Rego source of the rules and libs (tests excluded), comments removed. */
function regoSources(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'samples' && entry.name !== 'testdata') walk(full);
      else if (entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) {
        const text = readFileSync(full, 'utf8').split('\n').map((l) => l.replace(/^\s*#.*$/, '')).join('\n');
        out.push({ file: path.relative(repoRoot, full), text });
      }
    }
  };
  walk(path.join(repoRoot, 'policies'));
  return out;
}

const meta = { name: 'a', namespace: 'shop', uid: 'u', resourceVersion: '7', creationTimestamp: '2026-01-01T00:00:00Z', generation: 2, finalizers: ['f'], labels: { app: 'a' }, annotations: { 'networking.istio.io/exportTo': '.' } };
const kept = { name: 'a', namespace: 'shop', labels: { app: 'a' }, annotations: { 'networking.istio.io/exportTo': '.' } };

describe('trimming objects for the engine', () => {
  it('keeps identity, the metadata rules read and the listed fields; drops bookkeeping and status', () => {
    const vs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta, spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }] }] }, status: { conditions: [] } };
    assert.deepEqual(JSON.parse(JSON.stringify(trimForEngine('VirtualService')(vs))), { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: kept, spec: vs.spec });
    const ap = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta, spec: { action: 'DENY', rules: [{}] } };
    assert.deepEqual(JSON.parse(JSON.stringify(trimForEngine('AuthorizationPolicy')(ap))), { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: kept });
    const dr = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta, spec: { host: 'a', exportTo: ['.'], subsets: [{ name: 'v1', labels: { version: 'v1' } }], trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } };
    assert.deepEqual(JSON.parse(JSON.stringify(trimForEngine('DestinationRule')(dr))), {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: kept, spec: { host: 'a', subsets: [{ name: 'v1', labels: { version: 'v1' } }], exportTo: ['.'] },
    });
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
    assert.deepEqual(JSON.parse(JSON.stringify(trimForEngine('Namespace')(ns))), { apiVersion: 'v1', kind: 'Namespace', metadata: ns.metadata });
  });

  it('keeps every top-level field of a kind it does not list, and only pod labels of a workload', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'kubernetes.io/tls', tlsFacts: { notAfter: '2027-01-01T00:00:00Z' } };
    assert.deepEqual(JSON.parse(JSON.stringify(trimForEngine('Secret')(secret))), { ...secret, metadata: kept });
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta, spec: { replicas: 2, template: { metadata: { labels: { app: 'a', version: 'v1' } }, spec: { containers: [] } } } };
    assert.deepEqual(JSON.parse(JSON.stringify(trimForEngine('Deployment')(deployment))), {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: kept, spec: { template: { metadata: { labels: { app: 'a', version: 'v1' } } } },
    });
  });

  it('keeps every metadata field a rule or lib names (metadata.<field>, object.get(<x>.metadata, "<field>", ...))', () => {
    const named = new Map<string, string>();
    for (const { file, text } of regoSources()) {
      for (const m of text.matchAll(/\bmetadata\.([A-Za-z]+)/g)) named.set(m[1] as string, file);
      for (const m of text.matchAll(/object\.get\([\w.]*\bmetadata, "([A-Za-z]+)"/g)) named.set(m[1] as string, file);
      for (const m of text.matchAll(/object\.get\(as_object\(object\.get\(\w+, "metadata", \{\}\)\), "([A-Za-z]+)"/g)) named.set(m[1] as string, file);
    }
    assert.ok(['name', 'namespace', 'labels', 'annotations'].every((f) => named.has(f)), 'the scan finds the metadata reads');
    const dropped = [...named].filter(([field]) => !(METADATA_FIELDS as readonly string[]).includes(field));
    assert.deepEqual(dropped, [], 'metadata fields rules read that trimming drops (add them to METADATA_FIELDS)');
  });

  it('kinds reaching the engine without their spec are not read beyond their metadata by any rule or lib', () => {
    const specless = Object.entries(ENGINE_FIELDS).filter(([, fields]) => !fields.includes('spec')).map(([kind]) => kind);
    assert.deepEqual(specless.sort(), ['AuthorizationPolicy', 'Namespace']);
    const lookup = (kind: string): RegExp => new RegExp(`(items|items_in|with_host|wildcard_hosted)\\("${kind}"|inventory\\.${kind}\\b|inventory\\["${kind}"\\]`);
    const readers: string[] = [];
    for (const { file, text } of regoSources()) {
      // No rule looks up AuthorizationPolicies of the inventory.
      if (lookup('AuthorizationPolicy').test(text)) readers.push(`${file}: AuthorizationPolicy`);
      // A Namespace has spec.finalizers and status.phase/conditions besides its metadata.
      if (lookup('Namespace').test(text) && /\b(finalizers|phase|conditions)\b/.test(text)) readers.push(`${file}: Namespace`);
    }
    assert.deepEqual(readers, [], 'rules that read a kind whose spec the engine does not get');
  });

  it('keeps every spec field a rule or lib reads of an inventory object of a kind whose spec is kept in part', () => {
    // The rules name an inventory object of these kinds by these variables (`some dr in lib.items("DestinationRule")`).
    const names: Record<string, string> = { DestinationRule: 'dr' };
    assert.deepEqual(Object.keys(SPEC_FIELDS).sort(), Object.keys(names).sort());
    for (const [kind, v] of Object.entries(names)) {
      const read = new Set<string>();
      for (const { file, text } of regoSources()) {
        if (!new RegExp(`(items|items_in)\\("${kind}"|inventory\\.${kind}\\b`).test(text)) continue;
        assert.ok(new RegExp(`some ${v} in lib\\.items(_in)?\\("${kind}"`).test(text), `${file} names inventory ${kind} objects ${v}`);
        for (const m of text.matchAll(new RegExp(`\\b${v}\\.spec\\.([A-Za-z]+)|object\\.get\\(${v}\\.spec, "([A-Za-z]+)"`, 'g'))) read.add((m[1] ?? m[2]) as string);
      }
      assert.ok(read.size > 0, `the scan finds the reads of inventory ${kind} objects`);
      assert.deepEqual([...read].filter((f) => !(SPEC_FIELDS[kind] as readonly string[]).includes(f)), [], `${kind} spec fields rules read that trimming drops`);
    }
  });
});
