import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { MAX_PAIRED_LABELS, indexOf, type VirtualServiceIndex, type WorkloadIndex } from '../../../src/policy/inventory-index.js';
import { repoRoot } from '../../support/paths.js';

type ByNamespace = Record<string, Record<string, KubeObject>>;

/** The table policies/lib/workloads_test.rego runs with and without the index. */
const table = JSON.parse(readFileSync(path.join(repoRoot, 'policies', 'lib', 'testdata', 'workload_index', 'data.json'), 'utf8')) as {
  inventory: Record<string, ByNamespace>;
  index: Record<string, WorkloadIndex>;
};

const deployment = (ns: string, name: string, labels: Record<string, unknown>): KubeObject => ({
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: { template: { metadata: { labels } } },
});

describe('the workload index', () => {
  it('is the index of the shared Rego table, kind by kind', () => {
    for (const [kind, byNamespace] of Object.entries(table.inventory)) {
      assert.deepEqual(indexOf(kind, byNamespace), table.index[kind], kind);
    }
  });

  it('keeps one label set per distinct pod labels, counted in all and per namespace', () => {
    const index = indexOf('Deployment', {
      a: { web: deployment('a', 'web', { app: 'web', v: '1' }) },
      b: { web: deployment('b', 'web', { v: '1', app: 'web' }), api: deployment('b', 'api', { app: 'api', v: '1' }) },
    }) as WorkloadIndex;
    assert.deepEqual(index.sets, [
      { labels: { app: 'web', v: '1' }, count: 2, namespaces: { a: 1, b: 1 } },
      { labels: { app: 'api', v: '1' }, count: 1, namespaces: { b: 1 } },
    ]);
    assert.deepEqual(index.namespaces, { a: 1, b: 2 });
    assert.deepEqual(index.setsByLabel, { app: { web: [0], api: [1] }, v: { '1': [0, 1] } });
    assert.deepEqual(index.setsByPair, { app: { web: { v: { '1': [0] } }, api: { v: { '1': [1] } } } });
    assert.deepEqual(index.unpaired, []);
  });

  it('looks up string labels only, and lists label sets too large to pair instead of pairing them', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_PAIRED_LABELS + 1 }, (_, i) => [`k${i}`, 'x']));
    const index = indexOf('Deployment', {
      a: { big: deployment('a', 'big', many), odd: deployment('a', 'odd', { app: 'odd', replicas: 3 }) },
    }) as WorkloadIndex;
    assert.deepEqual(index.unpaired, [0]);
    assert.deepEqual(index.setsByPair, {});
    assert.deepEqual(index.setsByLabel.app, { odd: [1] });
    assert.equal(index.setsByLabel.replicas, undefined);
    assert.deepEqual(index.sets[1], { labels: { app: 'odd', replicas: 3 }, count: 1, namespaces: { a: 1 } });
  });

  it('orders a pair as Rego orders strings (by code point), not by UTF-16 code unit', () => {
    const index = indexOf('Deployment', { a: { w: deployment('a', 'w', { '\u{1F600}': 'y', '\uFF21': 'x' }) } }) as WorkloadIndex;
    assert.deepEqual(index.setsByPair, { '\uFF21': { x: { '\u{1F600}': { y: [0] } } } });
  });
});

describe('the VirtualService index', () => {
  const vsTable = JSON.parse(readFileSync(path.join(repoRoot, 'policies', 'lib', 'testdata', 'vs_index', 'data.json'), 'utf8')) as {
    inventory: { VirtualService: ByNamespace };
    index: { VirtualService: unknown };
  };

  it('is the index of the shared Rego table (hosts, destinations as written, gateways by name)', () => {
    assert.deepEqual(indexOf('VirtualService', vsTable.inventory.VirtualService), vsTable.index.VirtualService);
  });

  it('resolves every form of gateway reference to one Gateway, and lists each host once per VirtualService', () => {
    const vs = (spec: unknown): KubeObject => ({ kind: 'VirtualService', metadata: { name: 'v', namespace: 'a' }, spec });
    const index = indexOf('VirtualService', {
      a: { v: vs({ gateways: ['a/gw', 'gw', 'gw.a.svc.cluster.local', 'other.b', 7], http: [{ route: [{ destination: { host: 'x' } }, { destination: { host: 'x' } }] }] }) },
    }) as VirtualServiceIndex;
    assert.deepEqual(index.gateways, { a: { gw: [['a', 'v']] }, b: { other: [['a', 'v']] } });
    assert.deepEqual(index.destinations, { x: [['a', 'v']] });
  });
});

describe('the DestinationRule index', () => {
  it('is the index policies/lib/references_test.rego gives (each spec.host as written, wildcards apart)', () => {
    const dr = (ns: string, name: string, host: unknown): KubeObject => ({ kind: 'DestinationRule', metadata: { name, namespace: ns }, spec: { host } });
    const index = indexOf('DestinationRule', {
      dev: { short: dr('dev', 'short', 'reviews'), any: dr('dev', 'any', '*.prod.svc.cluster.local'), bad: dr('dev', 'bad', 7) },
      prod: { short: dr('prod', 'short', 'reviews'), full: dr('prod', 'full', 'ratings.prod.svc.cluster.local') },
    });
    assert.deepEqual(index, {
      hosts: {
        '*.prod.svc.cluster.local': [['dev', 'any']],
        reviews: [['dev', 'short'], ['prod', 'short']],
        'ratings.prod.svc.cluster.local': [['prod', 'full']],
      },
      wildcards: [['dev', 'any']],
    });
  });
});
