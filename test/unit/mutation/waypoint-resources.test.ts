import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCodes } from '../../../src/errors.js';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { sidecarBounds } from '../../../src/mutation/bounds.js';
import type { MutationEnv } from '../../../src/mutation/index.js';
import { config, request, run } from './helpers.js';

const on: MutationEnv = { config: config({ waypoint: { enabled: true } }) };
const MARK = { 'meshguard.io/mutations': 'waypoint-resources' };

/** A waypoint Deployment as istiod renders it from a Gateway of class istio-waypoint (trimmed). */
function waypointDeployment(proxy: Record<string, unknown> = {}, labels: Record<string, string> = { 'gateway.istio.io/managed': 'istio.io-mesh-controller' }): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'waypoint', namespace: 'bookinfo', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint', ...labels } },
    spec: { template: { metadata: { labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } }, spec: { containers: [{ name: 'istio-proxy', image: 'auto', ...proxy }] } } },
  };
}

function proxyOf(obj: KubeObject): Record<string, unknown> {
  return ((obj.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template.spec.containers[0])!;
}

describe('waypoint-resources', () => {
  it('is off by default', () => {
    const outcome = run(request(waypointDeployment()), { config: config() });
    assert.deepEqual(outcome.patch, []);
  });

  it('gives the istio-proxy container of a waypoint Deployment the configured requests and limits', () => {
    const outcome = run(request(waypointDeployment()), on);
    assert.deepEqual(outcome.applied, ['waypoint-resources']);
    const expected = waypointDeployment({ resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } } });
    assert.deepEqual(outcome.mutated, { ...expected, metadata: { ...expected.metadata, annotations: MARK } });
    assert.deepEqual(outcome.notes, ['waypoint-resources: Deployment waypoint: istio-proxy requests.cpu=100m, limits.cpu=2, requests.memory=128Mi, limits.memory=1Gi set']);
  });

  it('keeps the values istiod or the user already set and fills in the rest; a second pass changes nothing', () => {
    const outcome = run(request(waypointDeployment({ resources: { requests: { cpu: '300m' }, limits: { memory: '512Mi' } } })), on);
    assert.deepEqual(proxyOf(outcome.mutated).resources, { requests: { cpu: '300m', memory: '128Mi' }, limits: { cpu: '2', memory: '512Mi' } });
    assert.deepEqual(run(request(outcome.mutated), on).patch, []);
  });

  it('clamps the configured values into the bounds of pod-proxy-resources-range', () => {
    const env: MutationEnv = {
      config: config({ waypoint: { enabled: true, resources: { cpu: '10m', cpuLimit: '8', memory: '32Mi', memoryLimit: '8Gi' } } }),
      bounds: sidecarBounds({ 'pod-proxy-resources-range': { params: { cpuMin: '50m', cpuMax: '2', memoryMin: '64Mi', memoryMax: '2Gi' } } }),
    };
    const outcome = run(request(waypointDeployment()), env);
    assert.deepEqual(proxyOf(outcome.mutated).resources, { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '2', memory: '2Gi' } });
  });

  it('leaves other Deployments, ingress gateways and malformed containers alone', () => {
    assert.deepEqual(run(request(waypointDeployment({}, {})), on).patch, []);
    assert.deepEqual(run(request(waypointDeployment({}, { 'gateway.istio.io/managed': 'istio.io-gateway-controller' })), on).patch, []);
    const odd = run(request(waypointDeployment({ resources: 'big' })), on);
    assert.deepEqual(odd.patch, []);
    assert.deepEqual(odd.notes, ['waypoint-resources: Deployment waypoint: istio-proxy resources is not a mapping; left unchanged']);
    const none = waypointDeployment();
    (none.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers = [{ name: 'app' }];
    assert.deepEqual(run(request(none), on).notes, ['waypoint-resources: Deployment waypoint: no istio-proxy container; left unchanged']);
  });

  it('rejects a configured request above its limit, naming the setting', () => {
    assert.throws(() => config({ waypoint: { resources: { cpu: '3', cpuLimit: '2', memory: '128Mi', memoryLimit: '1Gi' } } }), (err: Error & { code?: string }) => {
      assert.equal(err.code, ErrorCodes.ORG_CONFIG_INVALID);
      assert.equal(err.message, 'org config mutation.waypoint.resources.request.cpu: 3 is above limit 2');
      return true;
    });
  });
});
