import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/inventory/objects.js';
import { changedFields, explainMutations, fieldPath, type MutationEnv } from '../../../src/mutation/index.js';
import { cluster, config, container, pod, request, run } from './helpers.js';

const env: MutationEnv = { config: config(), inventory: cluster() };

function explained(object: KubeObject, e: MutationEnv = env): string[] {
  const req = request(object);
  return explainMutations(req, run(req, e));
}

describe('mutations in words', () => {
  it('writes field paths as a user does', () => {
    assert.equal(fieldPath(['spec', 'tracing', '0', 'randomSamplingPercentage']), 'spec.tracing[0].randomSamplingPercentage');
    assert.equal(fieldPath(['metadata', 'annotations', 'proxy.istio.io/config']), 'metadata.annotations["proxy.istio.io/config"]');
    assert.deepEqual(changedFields([{ op: 'add', path: '/metadata/annotations', value: { 'a/b': 'x', c: 'y' } }, { op: 'remove', path: '/spec/x' }]), [
      'metadata.annotations["a/b"]', 'metadata.annotations.c', 'spec.x',
    ]);
  });

  it('a pod template (sidecar.templates): says which template, and where a value came from (base, factor, profile)', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'mesh' },
      spec: { template: { metadata: { annotations: { 'meshguard.io/sidecar-profile': 'small' } }, spec: { containers: [container('web')] } } },
    };
    const templates: MutationEnv = { config: config({ sidecar: { templates: true }, telemetry: { enabled: false } }), inventory: cluster() };
    assert.deepEqual(explained(deployment, templates), [
      'meshguard: sized the istio-proxy sidecar of the pod template spec.template: cpu request 50m (profile small), cpu limit 250m (profile small), memory request 64Mi (profile small), memory limit 256Mi (profile small)',
    ]);
    const plain = { ...deployment, spec: { template: { spec: { containers: [container('web')] } } } };
    assert.deepEqual(explained(plain, templates), [
      'meshguard: sized the istio-proxy sidecar of the pod template spec.template: cpu request 100m (the app requests no cpu: mutation.sidecar.base.cpu), cpu limit 500m (5x the cpu request), memory request 128Mi (the app requests no memory: mutation.sidecar.base.memory), memory limit 256Mi (2x the memory request)',
    ]);
  });

  it('enforceComputed: names the values of yours it replaced', () => {
    const enforce: MutationEnv = { config: config({ sidecar: { enforceComputed: true }, telemetry: { enabled: false } }), inventory: cluster() };
    const user = pod([container('web', { cpu: '500m', memory: '512Mi' }, { cpu: '1', memory: '1Gi' })], { annotations: { 'sidecar.istio.io/proxyCPU': '10m' } });
    assert.deepEqual(explained(user, enforce), [
      "meshguard: sized the istio-proxy sidecar: cpu request 50m (10% of the app's cpu request 500m), cpu limit 250m (25% of the app's cpu limit 1), memory request 64Mi (raised to the floor mutation.sidecar.floors.memory), memory limit 256Mi (25% of the app's memory limit 1Gi); replaced yours (mutation.sidecar.enforceComputed): cpu request 10m",
    ]);
  });

  it('nothing changed: nothing to say', () => {
    assert.deepEqual(explained(pod([container('web')], { annotations: { 'sidecar.istio.io/inject': 'false' } })), []);
  });
});
