import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/inventory/objects.js';
import type { MutationEnv } from '../../../src/mutation/index.js';
import { cluster, config, container, pod, request, run } from './helpers.js';

const env: MutationEnv = { config: config({ sidecar: { enabled: false } }), inventory: cluster() };
const MARK = { 'meshguard.io/mutations': 'telemetry-defaults' };
const PROXY = 'proxy.istio.io/config';

function telemetry(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'mesh-default', namespace: 'istio-system' }, spec };
}

describe('telemetry-defaults: Telemetry tracing', () => {
  it('gives every tracing entry without a sampling percentage the org default', () => {
    const spec = {
      tracing: [
        { providers: [{ name: 'zipkin' }] },
        { providers: [{ name: 'otel' }], randomSamplingPercentage: 100 },
        { providers: [{ name: 'stackdriver' }], randomSamplingPercentage: 0 },
        { match: { mode: 'SERVER' }, disableSpanReporting: true },
      ],
      metrics: [{ providers: [{ name: 'prometheus' }] }],
    };
    const outcome = run(request(telemetry(spec)), env);
    assert.deepEqual(outcome.mutated, {
      ...telemetry(spec),
      metadata: { name: 'mesh-default', namespace: 'istio-system', annotations: MARK },
      spec: {
        tracing: [
          { providers: [{ name: 'zipkin' }], randomSamplingPercentage: 1 },
          { providers: [{ name: 'otel' }], randomSamplingPercentage: 100 },
          { providers: [{ name: 'stackdriver' }], randomSamplingPercentage: 0 },
          { match: { mode: 'SERVER' }, disableSpanReporting: true, randomSamplingPercentage: 1 },
        ],
        metrics: [{ providers: [{ name: 'prometheus' }] }],
      },
    });
    assert.deepEqual(outcome.notes, [
      'telemetry-defaults: spec.tracing[0].randomSamplingPercentage set to 1',
      'telemetry-defaults: spec.tracing[3].randomSamplingPercentage set to 1',
    ]);
  });

  it('uses the configured percentage', () => {
    const custom: MutationEnv = { config: config({ telemetry: { defaultSamplingPercentage: 0.5 } }) };
    const outcome = run(request(telemetry({ tracing: [{}] })), custom);
    assert.deepEqual(outcome.mutated.spec, { tracing: [{ randomSamplingPercentage: 0.5 }] });
  });

  it('leaves Telemetry without tracing, or with sampling everywhere, alone', () => {
    for (const spec of [{ metrics: [{ providers: [{ name: 'prometheus' }] }] }, { tracing: [{ randomSamplingPercentage: 10 }] }, {}]) {
      const outcome = run(request(telemetry(spec)), env);
      assert.deepEqual(outcome.patch, []);
    }
  });
});

describe('telemetry-defaults: proxy.istio.io/config', () => {
  const app = [container('web', { cpu: '100m' })];

  function proxyConfigAfter(annotations: Record<string, string> | undefined, envIn: MutationEnv = env): { value: string | undefined; notes: string[]; changed: boolean } {
    const outcome = run(request(pod(app, annotations ? { annotations } : {})), envIn);
    return { value: outcome.mutated.metadata?.annotations?.[PROXY], notes: outcome.notes, changed: outcome.patch.length > 0 };
  }

  it('adds the defaults to a pod without the annotation', () => {
    const outcome = run(request(pod(app)), env);
    assert.deepEqual(outcome.mutated.metadata?.annotations, { [PROXY]: '{"holdApplicationUntilProxyStarts":true}', ...MARK });
  });

  it('merges into existing JSON only where keys are unset', () => {
    const result = proxyConfigAfter({ [PROXY]: '{"concurrency": 2, "tracing": {"sampling": 5}}' });
    assert.equal(result.value, '{"concurrency":2,"tracing":{"sampling":5},"holdApplicationUntilProxyStarts":true}');
  });

  it('rewrites YAML as compact JSON when it adds something', () => {
    const yaml = 'proxyStatsMatcher:\n  inclusionPrefixes:\n  - "cluster.outbound"\n  - "server"\n';
    const result = proxyConfigAfter({ [PROXY]: yaml });
    assert.equal(result.value, '{"proxyStatsMatcher":{"inclusionPrefixes":["cluster.outbound","server"]},"holdApplicationUntilProxyStarts":true}');
  });

  it('never overrides a key the user set, even to false', () => {
    for (const text of ['holdApplicationUntilProxyStarts: false', '{"holdApplicationUntilProxyStarts": true}']) {
      const result = proxyConfigAfter({ [PROXY]: text });
      assert.equal(result.value, text);
      assert.equal(result.changed, false);
    }
  });

  it('treats an empty annotation as empty config', () => {
    assert.equal(proxyConfigAfter({ [PROXY]: '' }).value, '{"holdApplicationUntilProxyStarts":true}');
  });

  it('leaves an unparseable or non-mapping annotation alone, with a note', () => {
    const broken = proxyConfigAfter({ [PROXY]: '{"concurrency": 2' });
    assert.equal(broken.value, '{"concurrency": 2');
    assert.equal(broken.changed, false);
    assert.match(broken.notes[0] ?? '', /^telemetry-defaults: Pod: proxy\.istio\.io\/config is unparseable \(.+\); left unchanged$/);
    const scalar = proxyConfigAfter({ [PROXY]: 'just a string' });
    assert.deepEqual(scalar.notes, ['telemetry-defaults: Pod: proxy.istio.io/config is not a mapping; left unchanged']);
  });

  it('merges several configured defaults', () => {
    const custom: MutationEnv = { ...env, config: config({ sidecar: { enabled: false }, telemetry: { proxyConfigDefaults: { concurrency: 2, proxyMetadata: { A: 'b' } } } }) };
    const result = proxyConfigAfter({ [PROXY]: 'concurrency: 4' }, custom);
    assert.equal(result.value, '{"concurrency":4,"holdApplicationUntilProxyStarts":true,"proxyMetadata":{"A":"b"}}');
  });

  it('only touches pods Istio will inject', () => {
    const outcome = run(request(pod(app), { namespace: 'plain' }), env);
    assert.deepEqual(outcome.patch, []);
    const optedOut = run(request(pod(app, { labels: { 'sidecar.istio.io/inject': 'false' } })), env);
    assert.deepEqual(optedOut.patch, []);
  });

  it('with the sidecar mutator, both record themselves in order', () => {
    const outcome = run(request(pod(app)), { config: config(), inventory: cluster() });
    assert.deepEqual(outcome.applied, ['sidecar-resources', 'telemetry-defaults']);
    assert.equal(outcome.mutated.metadata?.annotations?.['meshguard.io/mutations'], 'sidecar-resources,telemetry-defaults');
  });
});

describe('telemetry-defaults: Telemetry attached with targetRefs', () => {
  const waypoint = [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'waypoint' }];
  const attached = (spec: Record<string, unknown>): KubeObject => ({ ...telemetry(spec), metadata: { name: 'waypoint-tracing', namespace: 'bookinfo' } });

  it('gives a waypoint Telemetry the sampling default and adds no selector', () => {
    const outcome = run(request(attached({ targetRefs: waypoint, tracing: [{ providers: [{ name: 'zipkin' }] }] })), env);
    assert.deepEqual(outcome.mutated, {
      ...attached({}),
      metadata: { name: 'waypoint-tracing', namespace: 'bookinfo', annotations: MARK },
      spec: { targetRefs: waypoint, tracing: [{ providers: [{ name: 'zipkin' }], randomSamplingPercentage: 1 }] },
    });
    assert.deepEqual(outcome.notes, ['telemetry-defaults: spec.tracing[0].randomSamplingPercentage set to 1']);
  });

  it('leaves a Telemetry with both a selector and targetRefs alone, with a note', () => {
    for (const target of [{ targetRefs: waypoint }, { targetRef: waypoint[0] }]) {
      const outcome = run(request(attached({ ...target, selector: { matchLabels: { app: 'reviews' } }, tracing: [{}] })), env);
      assert.deepEqual(outcome.patch, []);
      assert.deepEqual(outcome.notes, ['telemetry-defaults: Telemetry waypoint-tracing sets both a selector and targetRefs, which Istio rejects; left unchanged']);
    }
  });
});
