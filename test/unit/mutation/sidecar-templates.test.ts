import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/inventory/objects.js';
import type { MutationEnv } from '../../../src/mutation/index.js';
import { annotationsAt, cluster, config, container, proxyAnnotations, request, run, sizingRecord } from './helpers.js';

const env: MutationEnv = { config: config({ sidecar: { templates: true } }), inventory: cluster() };
const APP = container('web', { cpu: '500m', memory: '512Mi' }, { cpu: '1', memory: '1Gi' });
const VALUES = { cpu: '50m', cpuLimit: '250m', memory: '64Mi', memoryLimit: '256Mi' };
const RECORD = sizingRecord(
  { cpu: '500m', cpuLimit: '1', memory: '512Mi', memoryLimit: '1Gi' },
  VALUES,
  { cpu: 'ratio', cpuLimit: 'ratio', memory: 'floor', memoryLimit: 'ratio' },
);
const TEMPLATE_ANNOTATIONS = {
  ...proxyAnnotations(VALUES),
  'meshguard.io/sidecar-sizing': RECORD,
  'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}',
};

function template(annotations?: Record<string, string>): Record<string, unknown> {
  return { metadata: { labels: { app: 'web' }, ...(annotations ? { annotations } : {}) }, spec: { containers: [APP] } };
}

function workload(kind: string, apiVersion = 'apps/v1'): KubeObject {
  const spec =
    kind === 'CronJob'
      ? { schedule: '*/5 * * * *', jobTemplate: { spec: { template: template() } } }
      : { selector: { matchLabels: { app: 'web' } }, template: template() };
  return { apiVersion, kind, metadata: { name: 'web', namespace: 'mesh' }, spec };
}

const KINDS: Array<[string, string, string[]]> = [
  ['Deployment', 'apps/v1', ['spec', 'template']],
  ['StatefulSet', 'apps/v1', ['spec', 'template']],
  ['DaemonSet', 'apps/v1', ['spec', 'template']],
  ['ReplicaSet', 'apps/v1', ['spec', 'template']],
  ['Job', 'batch/v1', ['spec', 'template']],
  ['CronJob', 'batch/v1', ['spec', 'jobTemplate', 'spec', 'template']],
];

describe('sidecar-resources and telemetry-defaults on pod templates', () => {
  for (const [kind, apiVersion, path] of KINDS) {
    it(`${kind}: annotates ${path.join('.')} and records the mutators on the ${kind}`, () => {
      const obj = workload(kind, apiVersion);
      const outcome = run(request(obj), env);
      assert.deepEqual(outcome.applied, ['sidecar-resources', 'telemetry-defaults']);
      assert.deepEqual(annotationsAt(outcome.mutated, path), TEMPLATE_ANNOTATIONS);
      assert.deepEqual(outcome.mutated.metadata?.annotations, { 'meshguard.io/mutations': 'sidecar-resources,telemetry-defaults' });
      const expected = structuredClone(obj) as Record<string, unknown>;
      let holder = expected;
      for (const step of path) holder = holder[step] as Record<string, unknown>;
      (holder.metadata as Record<string, unknown>).annotations = TEMPLATE_ANNOTATIONS;
      (expected.metadata as Record<string, unknown>).annotations = { 'meshguard.io/mutations': 'sidecar-resources,telemetry-defaults' };
      assert.deepEqual(outcome.mutated, expected);
    });
  }

  it('leaves templates alone when sidecar.templates is off (the default)', () => {
    const outcome = run(request(workload('Deployment')), { config: config(), inventory: cluster() });
    assert.deepEqual(outcome.patch, []);
  });

  it('sizes Deployment templates on UPDATE but never a Job template (immutable)', () => {
    const deployment = workload('Deployment');
    const updated = run(request(deployment, { operation: 'UPDATE', oldObject: workload('Deployment') }), env);
    assert.deepEqual(annotationsAt(updated.mutated, ['spec', 'template']), TEMPLATE_ANNOTATIONS);
    const job = workload('Job', 'batch/v1');
    const jobUpdate = run(request(job, { operation: 'UPDATE', oldObject: workload('Job', 'batch/v1') }), env);
    assert.deepEqual(jobUpdate.patch, []);
  });

  it('reads the profile from the template, then the workload, then the namespace', () => {
    const obj = workload('Deployment');
    obj.metadata = { ...obj.metadata, annotations: { 'meshguard.io/sidecar-profile': 'small' } };
    const outcome = run(request(obj, { namespace: 'big' }), env);
    const record = JSON.parse(annotationsAt(outcome.mutated, ['spec', 'template'])?.['meshguard.io/sidecar-sizing'] ?? '{}');
    assert.equal(record.profile, 'small');
    const fromNs = run(request(workload('Deployment'), { namespace: 'big' }), env);
    assert.equal(JSON.parse(annotationsAt(fromNs.mutated, ['spec', 'template'])?.['meshguard.io/sidecar-sizing'] ?? '{}').profile, 'large');
  });

  it('skips templates that opt out', () => {
    const obj = workload('Deployment');
    ((obj.spec as { template: { metadata: Record<string, unknown> } }).template.metadata).labels = { app: 'web', 'sidecar.istio.io/inject': 'false' };
    const outcome = run(request(obj), env);
    assert.deepEqual(outcome.patch, []);
    assert.deepEqual(outcome.notes, ['sidecar-resources: Deployment spec.template: the pod opts out with sidecar.istio.io/inject; left unchanged']);
  });

  it('keeps user values on the template and completes the rest', () => {
    const obj = workload('Deployment');
    const tpl = (obj.spec as { template: Record<string, unknown> }).template;
    tpl.metadata = { labels: { app: 'web' }, annotations: { 'sidecar.istio.io/proxyMemory': '300Mi' } };
    const outcome = run(request(obj), env);
    const values = { cpu: '50m', cpuLimit: '250m', memory: '300Mi', memoryLimit: '300Mi' };
    assert.deepEqual(annotationsAt(outcome.mutated, ['spec', 'template']), {
      ...proxyAnnotations(values),
      'meshguard.io/sidecar-sizing': sizingRecord(
        { cpu: '500m', cpuLimit: '1', memory: '512Mi', memoryLimit: '1Gi' },
        values,
        { cpu: 'ratio', cpuLimit: 'ratio', memory: 'user', memoryLimit: 'request' },
      ),
      'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}',
    });
  });
});
