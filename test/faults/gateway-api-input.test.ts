import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/inventory/objects.js';
import type { OpaWasmEngine } from '../../src/policy/engine.js';
import { checkObjects } from '../../src/policy/offline.js';
import type { OrgConfig } from '../../src/org-config.js';
import { builtinPack } from '../support/engine.js';

const GATEWAY_API = 'gateway.networking.k8s.io/v1';

/** Gateway API objects whose fields have the wrong shapes (what the CRD schema would refuse). */
const malformed: Array<[string, KubeObject, string[]]> = [
  ['parentRefs is a string', { apiVersion: GATEWAY_API, kind: 'HTTPRoute', metadata: { name: 'a', namespace: 'infra' }, spec: { parentRefs: 'public', hostnames: 7, rules: 'all' } }, []],
  ['parentRef fields of the wrong types', { apiVersion: GATEWAY_API, kind: 'HTTPRoute', metadata: { name: 'b', namespace: 'infra' }, spec: { parentRefs: [{ name: 5, sectionName: ['x'], port: 'eighty' }, null, 'x'], hostnames: [null, 3] } }, ['route-parent-attach']],
  ['backendRefs of the wrong types', { apiVersion: GATEWAY_API, kind: 'TCPRoute', metadata: { name: 'c', namespace: 'infra' }, spec: { rules: [{ backendRefs: [{ name: 'store', port: '80', weight: 'all' }, 4] }, null] } }, ['route-backend-exists']],
  ['listeners that are not objects', { apiVersion: GATEWAY_API, kind: 'Gateway', metadata: { name: 'd', namespace: 'infra' }, spec: { gatewayClassName: 3, listeners: [null, 'http', { port: '443', protocol: 7, tls: { certificateRefs: 'cert' } }] } }, ['k8sgw-class-served']],
  ['no spec at all', { apiVersion: GATEWAY_API, kind: 'Gateway', metadata: { name: 'e', namespace: 'infra' } }, []],
];

/** The inventory the malformed objects are judged against: a Gateway, a Service and a Secret of infra. */
const cluster: KubeObject[] = [
  { apiVersion: GATEWAY_API, kind: 'Gateway', metadata: { name: 'public', namespace: 'infra' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: 'All' } }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'store', namespace: 'infra' }, spec: { ports: [{ name: 'http', port: 'eighty' }] } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cert', namespace: 'infra' } },
];

describe('malformed Gateway API objects', () => {
  let engine: OpaWasmEngine;
  let org: OrgConfig;
  before(async () => {
    ({ engine, org } = await builtinPack());
  });

  for (const [what, object, ids] of malformed) {
    it(`get a verdict, not an evaluation error: ${what}`, () => {
      const inputs = [object, ...cluster].map((o, i) => ({ file: 'faults.yaml', line: i + 1, object: o }));
      const [result] = checkObjects(engine, org, inputs, { namespace: 'infra' });
      assert.ok(result);
      assert.equal(result.error, undefined);
      assert.equal(result.name, object.metadata?.name);
      assert.deepEqual(result.violations.map((v) => v.id), ids);
      for (const v of result.violations) assert.match(v.message, new RegExp(`^${object.kind} infra/${object.metadata?.name} `), v.message);
    });
  }
});
