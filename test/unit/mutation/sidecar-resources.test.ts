import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MeshguardError } from '../../../src/errors.js';
import type { KubeObject } from '../../../src/inventory/objects.js';
import type { MutationEnv } from '../../../src/mutation/index.js';
import { cluster, config, container, pod, proxyAnnotations, request, run, sizingRecord, sizingRecordObject } from './helpers.js';

const env: MutationEnv = { config: config({ telemetry: { enabled: false } }), inventory: cluster() };
const SIZED = 'sidecar-resources';

/** App with requests 500m/512Mi and limits 1/1Gi. */
const APP = container('web', { cpu: '500m', memory: '512Mi' }, { cpu: '1', memory: '1Gi' });
const APP_RECORD = { cpu: '500m', cpuLimit: '1', memory: '512Mi', memoryLimit: '1Gi' };
const APP_VALUES = { cpu: '50m', cpuLimit: '250m', memory: '64Mi', memoryLimit: '256Mi' };
const APP_RULES = { cpu: 'ratio', cpuLimit: 'ratio', memory: 'floor', memoryLimit: 'ratio' };

function expectSized(
  obj: KubeObject,
  values: typeof APP_VALUES,
  record: string,
  opts: { env?: MutationEnv; namespace?: string; existing?: Record<string, string> } = {},
): void {
  const outcome = run(request(obj, opts.namespace ? { namespace: opts.namespace } : {}), opts.env ?? env);
  assert.deepEqual(outcome.applied, [SIZED]);
  assert.deepEqual(outcome.mutated.metadata?.annotations, {
    ...opts.existing,
    ...proxyAnnotations(values),
    'meshguard.io/sidecar-sizing': record,
    'meshguard.io/mutations': SIZED,
  });
  assert.deepEqual(outcome.mutated.spec, obj.spec, 'the pod spec is never changed');
}

function expectUntouched(obj: KubeObject, note: string | undefined, opts: { env?: MutationEnv; namespace?: string } = {}): void {
  const outcome = run(request(obj, opts.namespace ? { namespace: opts.namespace } : {}), opts.env ?? env);
  assert.deepEqual(outcome.patch, []);
  assert.deepEqual(outcome.applied, []);
  assert.equal(outcome.mutated, obj);
  if (note !== undefined) assert.deepEqual(outcome.notes, [note]);
}

describe('sidecar-resources: sizing from the app', () => {
  it('sizes from app requests and limits (ratio, floor)', () => {
    expectSized(pod([APP]), APP_VALUES, sizingRecord(APP_RECORD, APP_VALUES, APP_RULES));
  });

  it('uses the base values and limit factors when the app sets no resources', () => {
    const values = { cpu: '100m', cpuLimit: '500m', memory: '128Mi', memoryLimit: '256Mi' };
    const rules = { cpu: 'base', cpuLimit: 'factor', memory: 'base', memoryLimit: 'factor' };
    expectSized(pod([container('web')]), values, sizingRecord({ cpu: '0', cpuLimit: null, memory: '0', memoryLimit: null }, values, rules));
  });

  it('derives limits from the requests when the app sets requests only', () => {
    const values = { cpu: '200m', cpuLimit: '1', memory: '410Mi', memoryLimit: '820Mi' };
    const rules = { cpu: 'ratio', cpuLimit: 'factor', memory: 'ratio', memoryLimit: 'factor' };
    const app = { cpu: '2', cpuLimit: null, memory: '4Gi', memoryLimit: null };
    expectSized(pod([container('web', { cpu: '2', memory: '4Gi' })]), values, sizingRecord(app, values, rules));
  });

  it('sums app containers and treats a limit without a request as the request', () => {
    const obj = pod([container('a', { cpu: '300m', memory: '256Mi' }, { cpu: '500m', memory: '512Mi' }), container('b', undefined, { cpu: '700m', memory: '1536Mi' })]);
    const values = { cpu: '100m', cpuLimit: '300m', memory: '180Mi', memoryLimit: '512Mi' };
    const rules = { cpu: 'ratio', cpuLimit: 'ratio', memory: 'ratio', memoryLimit: 'ratio' };
    expectSized(obj, values, sizingRecord({ cpu: '1', cpuLimit: '1200m', memory: '1792Mi', memoryLimit: '2Gi' }, values, rules));
  });

  it('clamps to the org ceilings', () => {
    const obj = pod([container('web', { cpu: '16', memory: '64Gi' }, { cpu: '32', memory: '128Gi' })]);
    const values = { cpu: '1', cpuLimit: '2', memory: '1Gi', memoryLimit: '2Gi' };
    const rules = { cpu: 'ceiling', cpuLimit: 'ceiling', memory: 'ceiling', memoryLimit: 'ceiling' };
    expectSized(obj, values, sizingRecord({ cpu: '16', cpuLimit: '32', memory: '64Gi', memoryLimit: '128Gi' }, values, rules));
  });

  it('lifts to the org floors', () => {
    const obj = pod([container('web', { cpu: '10m', memory: '16Mi' })]);
    const values = { cpu: '50m', cpuLimit: '250m', memory: '64Mi', memoryLimit: '256Mi' };
    const rules = { cpu: 'floor', cpuLimit: 'factor', memory: 'floor', memoryLimit: 'floor' };
    expectSized(obj, values, sizingRecord({ cpu: '10m', cpuLimit: null, memory: '16Mi', memoryLimit: null }, values, rules));
  });

  it('follows custom ratios and factors from the org config', () => {
    const custom: MutationEnv = {
      inventory: cluster(),
      config: config({ telemetry: { enabled: false }, sidecar: { ratios: { cpu: 0.5, memory: 0.25 }, limitFactors: { cpu: 2, memory: 3 } } }),
    };
    const obj = pod([container('web', { cpu: '1', memory: '1Gi' })]);
    const values = { cpu: '500m', cpuLimit: '1', memory: '256Mi', memoryLimit: '768Mi' };
    const rules = { cpu: 'ratio', cpuLimit: 'factor', memory: 'ratio', memoryLimit: 'factor' };
    const record = sizingRecord({ cpu: '1', cpuLimit: null, memory: '1Gi', memoryLimit: null }, values, rules, null, { cpu: 0.5, cpuLimit: 0.25, memory: 0.25, memoryLimit: 0.25 }, { cpu: 2, memory: 3 });
    expectSized(obj, values, record, { env: custom });
  });

  it('ignores the containers Istio itself adds', () => {
    const obj = pod([APP, container('istio-proxy', { cpu: '2', memory: '2Gi' }, { cpu: '4', memory: '4Gi' })], {}, {
      initContainers: [container('istio-init', { cpu: '10', memory: '10Gi' })],
    });
    expectSized(obj, APP_VALUES, sizingRecord(APP_RECORD, APP_VALUES, APP_RULES));
  });
});

describe('sidecar-resources: init containers (Kubernetes effective requests)', () => {
  it('uses the largest init container when it exceeds the app', () => {
    const obj = pod([container('web', { cpu: '100m', memory: '128Mi' }, { cpu: '200m', memory: '256Mi' })], {}, {
      initContainers: [container('migrate', { cpu: '1', memory: '1Gi' }, { cpu: '2', memory: '2Gi' })],
    });
    const values = { cpu: '100m', cpuLimit: '500m', memory: '103Mi', memoryLimit: '512Mi' };
    const rules = { cpu: 'ratio', cpuLimit: 'ratio', memory: 'ratio', memoryLimit: 'ratio' };
    expectSized(obj, values, sizingRecord({ cpu: '1', cpuLimit: '2', memory: '1Gi', memoryLimit: '2Gi' }, values, rules));
  });

  it('adds restartPolicy: Always sidecar init containers to the sum and to later init containers', () => {
    const obj = pod([container('web', { cpu: '1', memory: '2Gi' }, { cpu: '2', memory: '4Gi' })], {}, {
      initContainers: [
        container('log-shipper', { cpu: '500m', memory: '1Gi' }, { cpu: '1', memory: '2Gi' }, { restartPolicy: 'Always' }),
        container('setup', { cpu: '2', memory: '1Gi' }, { cpu: '2', memory: '1Gi' }),
      ],
    });
    // requests: cpu max(1+0.5, 2+0.5) = 2500m, memory max(2Gi+1Gi, 1Gi+1Gi) = 3Gi; limits 3 and 6Gi.
    const values = { cpu: '250m', cpuLimit: '750m', memory: '308Mi', memoryLimit: '1536Mi' };
    const rules = { cpu: 'ratio', cpuLimit: 'ratio', memory: 'ratio', memoryLimit: 'ratio' };
    expectSized(obj, values, sizingRecord({ cpu: '2500m', cpuLimit: '3', memory: '3Gi', memoryLimit: '6Gi' }, values, rules));
  });

  it('has no app limit when a sidecar init container sets none', () => {
    const obj = pod([container('web', { cpu: '300m', memory: '256Mi' }, { cpu: '1', memory: '1Gi' })], {}, {
      initContainers: [container('proxy', { cpu: '200m', memory: '256Mi' }, undefined, { restartPolicy: 'Always' })],
    });
    const values = { cpu: '50m', cpuLimit: '250m', memory: '64Mi', memoryLimit: '256Mi' };
    const rules = { cpu: 'ratio', cpuLimit: 'factor', memory: 'floor', memoryLimit: 'floor' };
    expectSized(obj, values, sizingRecord({ cpu: '500m', cpuLimit: null, memory: '512Mi', memoryLimit: null }, values, rules));
  });
});

describe('sidecar-resources: explicit user annotations', () => {
  it('keeps a user proxyCPU and completes the rest around it (limit >= request)', () => {
    const user = { 'sidecar.istio.io/proxyCPU': '500m' };
    const values = { cpu: '500m', cpuLimit: '500m', memory: '64Mi', memoryLimit: '256Mi' };
    const rules = { cpu: 'user', cpuLimit: 'request', memory: 'floor', memoryLimit: 'ratio' };
    expectSized(pod([APP], { annotations: user }), values, sizingRecord(APP_RECORD, values, rules), { existing: user });
  });

  it('keeps user values exactly as written', () => {
    const user = { 'sidecar.istio.io/proxyCPU': '0.5', 'sidecar.istio.io/proxyMemoryLimit': '1G' };
    const values = { cpu: '0.5', cpuLimit: '500m', memory: '64Mi', memoryLimit: '1G' };
    const rules = { cpu: 'user', cpuLimit: 'request', memory: 'floor', memoryLimit: 'user' };
    expectSized(pod([APP], { annotations: user }), values, sizingRecord(APP_RECORD, values, rules), { existing: user });
  });

  it('lowers a computed request to a user limit below it', () => {
    const user = { 'sidecar.istio.io/proxyCPULimit': '40m' };
    const values = { cpu: '40m', cpuLimit: '40m', memory: '64Mi', memoryLimit: '256Mi' };
    const rules = { cpu: 'limit', cpuLimit: 'user', memory: 'floor', memoryLimit: 'ratio' };
    expectSized(pod([APP], { annotations: user }), values, sizingRecord(APP_RECORD, values, rules), { existing: user });
  });

  it('rejects two user values with the limit below the request, naming both (422)', () => {
    const user = { 'sidecar.istio.io/proxyCPU': '500m', 'sidecar.istio.io/proxyCPULimit': '100m' };
    assert.throws(
      () => run(request(pod([APP], { annotations: user })), env),
      (err: unknown) =>
        err instanceof MeshguardError &&
        err.code === 'MG_ERR_ANNOTATION_INVALID' &&
        err.statusCode === 422 &&
        err.message === 'mutator sidecar-resources: Pod: annotation sidecar.istio.io/proxyCPULimit: "100m" is below sidecar.istio.io/proxyCPU "500m"; a limit must not be below its request',
    );
  });

  it('enforceComputed overwrites user values, with a note each', () => {
    const enforced: MutationEnv = { inventory: cluster(), config: config({ telemetry: { enabled: false }, sidecar: { enforceComputed: true } }) };
    const user = { 'sidecar.istio.io/proxyCPU': '500m', 'sidecar.istio.io/proxyMemory': '1Gi' };
    const outcome = run(request(pod([APP], { annotations: user })), enforced);
    assert.deepEqual(outcome.mutated.metadata?.annotations, {
      ...proxyAnnotations(APP_VALUES),
      'meshguard.io/sidecar-sizing': sizingRecord(APP_RECORD, APP_VALUES, APP_RULES),
      'meshguard.io/mutations': SIZED,
    });
    assert.ok(outcome.notes.includes('sidecar-resources: Pod: enforceComputed replaced sidecar.istio.io/proxyCPU=500m with 50m'));
    assert.ok(outcome.notes.includes('sidecar-resources: Pod: enforceComputed replaced sidecar.istio.io/proxyMemory=1Gi with 64Mi'));
  });

  it('rejects an invalid user annotation, naming it', () => {
    const obj = pod([APP], { annotations: { 'sidecar.istio.io/proxyMemory': '128 MB' } });
    assert.throws(
      () => run(request(obj), env),
      (err: unknown) =>
        err instanceof MeshguardError &&
        err.code === 'MG_ERR_ANNOTATION_INVALID' &&
        err.statusCode === 422 &&
        err.message === 'mutator sidecar-resources: Pod: annotation sidecar.istio.io/proxyMemory: invalid quantity "128 MB": not a Kubernetes quantity',
    );
  });

  it('rejects an invalid container quantity, naming the container', () => {
    const obj = pod([container('web', { cpu: 'lots' })]);
    assert.throws(() => run(request(obj), env), /container "web" resources\.requests\.cpu: invalid quantity "lots"/);
  });

  it('adds to existing annotations key by key, with escaped JSON pointers', () => {
    const existing = { 'example.com/owner': 'team-a' };
    const outcome = run(request(pod([APP], { annotations: existing })), env);
    assert.deepEqual(
      outcome.patch.map((op) => `${op.op} ${op.path}`),
      [
        'add /metadata/annotations/sidecar.istio.io~1proxyCPU',
        'add /metadata/annotations/sidecar.istio.io~1proxyCPULimit',
        'add /metadata/annotations/sidecar.istio.io~1proxyMemory',
        'add /metadata/annotations/sidecar.istio.io~1proxyMemoryLimit',
        'add /metadata/annotations/meshguard.io~1sidecar-sizing',
        'add /metadata/annotations/meshguard.io~1mutations',
      ],
    );
  });

  it('skips a pod whose annotations are already complete and current', () => {
    const first = run(request(pod([APP])), env);
    const second = run(request(first.mutated), env);
    assert.deepEqual(second.patch, []);
    assert.deepEqual(second.applied, []);
  });
});

describe('sidecar-resources: profiles', () => {
  const rulesOf = (name: string) => ({ cpu: name, cpuLimit: name, memory: name, memoryLimit: name });

  it('a pod annotation selects a profile that fixes the values', () => {
    const values = { cpu: '50m', cpuLimit: '250m', memory: '64Mi', memoryLimit: '256Mi' };
    const ann = { 'meshguard.io/sidecar-profile': 'small' };
    expectSized(pod([APP], { annotations: ann }), values, sizingRecord(APP_RECORD, values, rulesOf('profile:small'), 'small'), { existing: ann });
  });

  it('a namespace label selects a profile that bounds the values (beyond the org ceilings)', () => {
    const values = { cpu: '500m', cpuLimit: '2', memory: '512Mi', memoryLimit: '2Gi' };
    expectSized(pod([APP]), values, sizingRecord(APP_RECORD, values, rulesOf('profile:large'), 'large'), { namespace: 'big' });
  });

  it('a namespace annotation selects a profile too', () => {
    const values = { cpu: '50m', cpuLimit: '250m', memory: '64Mi', memoryLimit: '256Mi' };
    expectSized(pod([APP]), values, sizingRecord(APP_RECORD, values, rulesOf('profile:small'), 'small'), { namespace: 'annotated' });
  });

  it('the pod wins over its namespace', () => {
    const values = { cpu: '100m', cpuLimit: '500m', memory: '128Mi', memoryLimit: '512Mi' };
    const obj = pod([APP], { labels: { 'meshguard.io/sidecar-profile': 'medium' } });
    expectSized(obj, values, sizingRecord(APP_RECORD, values, rulesOf('profile:medium'), 'medium'), { namespace: 'big' });
  });

  it('a profile max caps a large app', () => {
    const obj = pod([container('web', { cpu: '16', memory: '64Gi' }, { cpu: '32', memory: '128Gi' })], { annotations: { 'meshguard.io/sidecar-profile': 'medium' } });
    const outcome = run(request(obj), env);
    const values = { cpu: '500m', cpuLimit: '1', memory: '512Mi', memoryLimit: '1Gi' };
    assert.deepEqual(
      JSON.parse(outcome.mutated.metadata?.annotations?.['meshguard.io/sidecar-sizing'] ?? '{}'),
      sizingRecordObject({ cpu: '16', cpuLimit: '32', memory: '64Gi', memoryLimit: '128Gi' }, values, rulesOf('profile:medium'), 'medium'),
    );
  });

  it('user annotations win over the profile', () => {
    const ann = { 'meshguard.io/sidecar-profile': 'small', 'sidecar.istio.io/proxyCPU': '300m' };
    const values = { cpu: '300m', cpuLimit: '300m', memory: '64Mi', memoryLimit: '256Mi' };
    const rules = { cpu: 'user', cpuLimit: 'request', memory: 'profile:small', memoryLimit: 'profile:small' };
    expectSized(pod([APP], { annotations: ann }), values, sizingRecord(APP_RECORD, values, rules, 'small'), { existing: ann });
  });

  it('an unknown profile is noted and ignored', () => {
    const ann = { 'meshguard.io/sidecar-profile': 'gigantic' };
    const outcome = run(request(pod([APP], { annotations: ann })), env);
    assert.equal(outcome.mutated.metadata?.annotations?.['meshguard.io/sidecar-sizing'], sizingRecord(APP_RECORD, APP_VALUES, APP_RULES));
    assert.ok(outcome.notes.includes('sidecar-resources: Pod: unknown sidecar profile "gigantic"; sized without a profile'));
  });

  it('the org default profile applies when none is named', () => {
    const withDefault: MutationEnv = { inventory: cluster(), config: config({ telemetry: { enabled: false }, sidecar: { defaultProfile: 'medium' } }) };
    const values = { cpu: '100m', cpuLimit: '500m', memory: '128Mi', memoryLimit: '512Mi' };
    expectSized(pod([APP]), values, sizingRecord(APP_RECORD, values, rulesOf('profile:medium'), 'medium'), { env: withDefault });
  });
});

describe('sidecar-resources: which pods', () => {
  const record = sizingRecord(APP_RECORD, APP_VALUES, APP_RULES);
  const inject = (value: string) => ({ 'sidecar.istio.io/inject': value });

  it('sizes pods in injection-enabled and revision-labelled namespaces', () => {
    expectSized(pod([APP]), APP_VALUES, record, { namespace: 'mesh' });
    expectSized(pod([APP]), APP_VALUES, record, { namespace: 'rev' });
  });

  it('a pod label "false" opts out, and wins over an annotation "true"', () => {
    expectUntouched(pod([APP], { labels: inject('false'), annotations: inject('true') }), 'sidecar-resources: Pod: the pod opts out with sidecar.istio.io/inject; left unchanged');
  });

  it('a pod label "true" opts in, and wins over an annotation "false"', () => {
    expectSized(pod([APP], { labels: inject('true'), annotations: inject('false') }), APP_VALUES, record, { namespace: 'plain', existing: inject('false') });
  });

  it('a pod annotation alone opts out in a mesh namespace; in a plain one only the label "true" opts in, as Istio\'s object webhook selects', () => {
    expectUntouched(pod([APP], { annotations: inject('false') }), 'sidecar-resources: Pod: the pod opts out with sidecar.istio.io/inject; left unchanged');
    expectUntouched(pod([APP], { annotations: inject('true') }), 'sidecar-resources: Pod: namespace plain is not in the mesh; left unchanged', { namespace: 'plain' });
    expectUntouched(pod([APP], { labels: inject('y') }), 'sidecar-resources: Pod: namespace plain is not in the mesh; left unchanged', { namespace: 'plain' });
    expectSized(pod([APP], { labels: inject('true') }), APP_VALUES, record, { namespace: 'plain' });
    expectSized(pod([APP], { labels: inject('y') }), APP_VALUES, record);
  });

  it('a pod istio.io/rev label opts in', () => {
    expectSized(pod([APP], { labels: { 'istio.io/rev': 'canary' } }), APP_VALUES, record, { namespace: 'plain' });
  });

  it('never sizes hostNetwork pods', () => {
    expectUntouched(pod([APP], { labels: inject('true') }, { hostNetwork: true }), 'sidecar-resources: Pod: hostNetwork pods get no sidecar; left unchanged');
  });

  it('never sizes pods in non-mesh namespaces that do not opt in', () => {
    expectUntouched(pod([APP]), 'sidecar-resources: Pod: namespace plain is not in the mesh; left unchanged', { namespace: 'plain' });
  });

  it('never sizes ambient pods: the namespace or the pod itself puts them in ambient mode', () => {
    expectUntouched(pod([APP]), 'sidecar-resources: Pod: the pod runs in ambient mode (ztunnel), without a sidecar; left unchanged', { namespace: 'ambient' });
    const own = { 'istio.io/dataplane-mode': 'ambient' };
    expectUntouched(pod([APP], { labels: own }), 'sidecar-resources: Pod: the pod runs in ambient mode (ztunnel), without a sidecar; left unchanged', { namespace: 'plain' });
    expectUntouched(pod([APP], { labels: { ...own, 'sidecar.istio.io/inject': 'false' } }), 'sidecar-resources: Pod: the pod runs in ambient mode (ztunnel), without a sidecar; left unchanged', { namespace: 'ambient' });
  });

  it('sizes a pod that opts in to a sidecar in an ambient namespace (the sidecar wins)', () => {
    expectSized(pod([APP], { labels: inject('true') }), APP_VALUES, record, { namespace: 'ambient' });
  });

  it('never sizes pods in an istio-injection=disabled namespace, even when they opt in', () => {
    expectUntouched(pod([APP], { labels: inject('true') }), 'sidecar-resources: Pod: namespace off has istio-injection=disabled; left unchanged', { namespace: 'off' });
  });

  it('decides from the pod alone when the namespace is unknown, with a note', () => {
    const offline: MutationEnv = { config: env.config };
    const optedIn = run(request(pod([APP], { labels: inject('true') }), { namespace: 'default' }), offline);
    assert.deepEqual(optedIn.applied, [SIZED]);
    assert.equal(optedIn.notes[0], 'sidecar-resources: Pod: namespace default unknown; the pod opts in itself');
    expectUntouched(pod([APP]), 'sidecar-resources: Pod: namespace default unknown and the pod does not opt in with sidecar.istio.io/inject; left unchanged', { env: offline, namespace: 'default' });
    expectUntouched(pod([APP]), 'sidecar-resources: Pod: namespace ghost unknown and the pod does not opt in with sidecar.istio.io/inject; left unchanged', { namespace: 'ghost' });
  });

  it('leaves pods alone on UPDATE, DELETE and CONNECT, and when disabled', () => {
    for (const operation of ['UPDATE', 'DELETE', 'CONNECT'] as const) {
      const obj = pod([APP]);
      const outcome = run(request(obj, { operation, ...(operation === 'UPDATE' ? { oldObject: pod([APP]) } : {}) }), env);
      assert.deepEqual(outcome, { patch: [], mutated: obj, applied: [], changes: [], notes: [] });
    }
    expectUntouched(pod([APP]), undefined, { env: { inventory: cluster(), config: config({ telemetry: { enabled: false }, sidecar: { enabled: false } }) } });
  });

  it('answers a dry run the same way', () => {
    const live = run(request(pod([APP])), env);
    const dry = run(request(pod([APP]), { dryRun: true }), env);
    assert.deepEqual(dry, live);
  });
});
