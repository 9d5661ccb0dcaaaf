import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { hostMatches, hostNamespace, resolveHost } from '../../../src/mesh/hosts.js';
import { dataplane, injection, type InjectorSettings, type PodTemplateLike } from '../../../src/mesh/injection.js';
import { podOwner, type WorkloadRef } from '../../../src/mesh/owner.js';
import { selects, type LabelSelector } from '../../../src/mesh/selector.js';
import { visible, type ExportDefaults } from '../../../src/mesh/visibility.js';
import { repoRoot } from '../../support/paths.js';

/** One of the shared tables (policies/lib/testdata/mesh/<name>/data.json), also run by policies/lib/istio_test.rego. */
function table<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(repoRoot, 'policies', 'lib', 'testdata', 'mesh', name, 'data.json'), 'utf8')) as T;
}

interface InjectionCase { name: string; ns: string; nsLabels: Record<string, string> | null; injector?: InjectorSettings; pod: PodTemplateLike; injected: boolean; dataplane: string }
interface HostCase { host: string; ns: string; fqdn: string; namespace: string | null }
interface ExportCase { name: string; obj: KubeObject; from: string; meshConfig?: ExportDefaults; visible: boolean }
interface SelectorCase { selector: LabelSelector; labels: Record<string, string>; selects: boolean }
interface OwnerCase { name: string; pod: KubeObject; owner: WorkloadRef }

describe('the shared mesh tables in TypeScript', () => {
  const inj = table<{ cases: InjectionCase[] }>('injection').cases;
  for (const c of inj) {
    it(`injection: ${c.name}`, () => {
      const labels = c.nsLabels ?? undefined;
      assert.deepEqual(
        { injected: injection(c.pod, c.ns, labels, c.injector).inject, dataplane: dataplane(c.pod, c.ns, labels, c.injector) },
        { injected: c.injected, dataplane: c.dataplane },
      );
    });
  }

  const hosts = table<{ domain: string; cases: HostCase[]; matches: Array<[string, string, boolean]> }>('hosts');
  for (const c of hosts.cases) {
    it(`host ${JSON.stringify(c.host)} in ${c.ns}`, () => {
      assert.deepEqual(
        { fqdn: resolveHost(c.host, c.ns, hosts.domain), namespace: hostNamespace(c.host, c.ns, hosts.domain) ?? null },
        { fqdn: c.fqdn, namespace: c.namespace },
      );
    });
  }
  for (const [a, b, overlap] of hosts.matches) {
    it(`host ${a} ${overlap ? 'matches' : 'does not match'} ${b}`, () => assert.equal(hostMatches(a, b), overlap));
  }

  for (const c of table<{ cases: ExportCase[] }>('exportto').cases) {
    it(`exportTo: ${c.name}`, () => assert.equal(visible(c.obj, c.from, c.meshConfig), c.visible));
  }

  for (const [i, c] of table<{ cases: SelectorCase[] }>('selectors').cases.entries()) {
    it(`selector case ${i}: ${JSON.stringify(c.selector)} ${c.selects ? 'selects' : 'does not select'} ${JSON.stringify(c.labels)}`, () => {
      assert.equal(selects(c.selector, c.labels), c.selects);
    });
  }

  for (const c of table<{ cases: OwnerCase[] }>('owners').cases) {
    it(`owner: ${c.name}`, () => assert.deepEqual(podOwner(c.pod), c.owner));
  }
});
