/**
 * Malformed ambient input through the real Wasm engine and the `meshguard check` decision path:
 * every object gets a decision (no evaluation error), and the ambient rules judge only what they
 * can read. The API server's schema check usually stops such objects first; `check --no-schema`
 * and a webhook in front of CRDs without schemas do not.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/inventory/objects.js';
import { Inventory } from '../../src/inventory/inventory.js';
import type { OpaWasmEngine } from '../../src/policy/engine.js';
import { checkObjects } from '../../src/policy/offline.js';
import type { OrgConfig } from '../../src/org-config.js';
import { builtinPack } from '../support/engine.js';

const NS = 'bookinfo';
const cluster: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': '7' } } },
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'waypoint', namespace: NS, labels: { 'istio.io/waypoint-for': 'workload' } }, spec: { gatewayClassName: 'istio-waypoint' } },
];

const ap = (name: string, spec: unknown): KubeObject => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: NS }, spec: spec as Record<string, unknown> });

describe('ambient rules on malformed input', () => {
  let engine: OpaWasmEngine;
  let org: OrgConfig;
  before(async () => {
    ({ engine, org } = await builtinPack());
  });

  function ambientIds(object: KubeObject): string[] {
    const inventory = new Inventory();
    for (const o of cluster) inventory.upsert(o);
    const [result] = checkObjects(engine, org, [{ file: 'fault', line: 1, object }], { namespace: NS, inventory, knownKinds: ['Namespace', 'KubernetesGateway', 'Service'] });
    assert.ok(result);
    assert.equal(result.error, undefined, `evaluation error: ${result.error}`);
    return result.violations.map((v) => v.id).filter((id) => id.startsWith('amb-')).sort();
  }

  it('AuthorizationPolicies whose rules, clauses and targets have the wrong types', () => {
    assert.deepEqual(ambientIds(ap('junk-rules', { action: 'DENY', rules: ['x', { to: 'y', from: [1], when: [{ key: 3 }] }, { to: [{ operation: 'z' }] }] })), []);
    assert.deepEqual(ambientIds(ap('junk-targets', { action: 'DENY', targetRefs: [1, 'x', { kind: 'Service' }, { name: 'no-kind' }] })), ['amb-target-refs']);
    assert.deepEqual(ambientIds(ap('junk-values', { action: 'DENY', selector: 'x', rules: [{ to: [{ operation: { paths: '/x', methods: 5 } }], when: 'w' }] })), ['amb-ap-unenforced']);
    assert.deepEqual(ambientIds(ap('string-spec', 'DENY')), []);
  });

  it('labels and PeerAuthentication modes of the wrong shape', () => {
    const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: NS, labels: { 'istio.io/use-waypoint': 'waypoint', 'istio.io/use-waypoint-namespace': '' } } };
    assert.deepEqual(ambientIds(service), ['amb-use-waypoint']);
    const pa: KubeObject = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'pa', namespace: NS }, spec: { mtls: 'DISABLE', portLevelMtls: [1] } };
    assert.deepEqual(ambientIds(pa), []);
  });
});
