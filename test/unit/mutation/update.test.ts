import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../src/inventory/objects.js';
import type { MutationEnv } from '../../../src/mutation/index.js';
import { annotationsAt, cluster, config, container, proxyAnnotations, request, run, sizingRecord } from './helpers.js';

const env: MutationEnv = { config: config({ sidecar: { templates: true } }), inventory: cluster() };

function pa(mode?: string, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: 'default', namespace: 'mesh', ...(annotations ? { annotations } : {}) },
    spec: mode ? { mtls: { mode } } : {},
  };
}

function update(object: KubeObject, oldObject: KubeObject) {
  return run(request(object, { operation: 'UPDATE', oldObject }), env);
}

describe('UPDATE: user-owned fields are never fought over', () => {
  it('PeerAuthentication: fills a mode missing before and after', () => {
    assert.deepEqual(update(pa(), pa()).mutated.spec, { mtls: { mode: 'STRICT' } });
  });

  it('PeerAuthentication: does not refill a mode the user removed', () => {
    const outcome = update(pa(), pa('PERMISSIVE'));
    assert.deepEqual(outcome.patch, []);
    assert.deepEqual(outcome.notes, ['mtls-defaults: PeerAuthentication default: spec.mtls.mode was removed by this update; left unset']);
  });

  it('PeerAuthentication: a STRICT the user wrote and removed stays removed', () => {
    assert.deepEqual(update(pa(), pa('STRICT')).patch, []);
  });

  it('PeerAuthentication: refills the STRICT meshguard had set (e.g. dropped by server-side apply)', () => {
    const outcome = update(pa(), pa('STRICT', { 'meshguard.io/mutations': 'mtls-defaults' }));
    assert.deepEqual(outcome.mutated.spec, { mtls: { mode: 'STRICT' } });
    assert.deepEqual(outcome.mutated.metadata?.annotations, { 'meshguard.io/mutations': 'mtls-defaults' });
  });

  it('DestinationRule: does not refill TLS the user removed', () => {
    const dr = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'r', namespace: 'mesh' }, spec });
    const outcome = update(dr({ host: 'reviews' }), dr({ host: 'reviews', trafficPolicy: { tls: { mode: 'SIMPLE' } } }));
    assert.deepEqual(outcome.patch, []);
    assert.deepEqual(outcome.notes, ['mtls-defaults: DestinationRule r: TLS settings were removed by this update; left unchanged']);
    const fresh = update(dr({ host: 'reviews' }), dr({ host: 'reviews' }));
    assert.deepEqual(fresh.mutated.spec, { host: 'reviews', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
  });

  it('Telemetry: does not refill a sampling percentage the user removed, fills new entries', () => {
    const tel = (tracing: unknown[]): KubeObject => ({ apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 't', namespace: 'mesh' }, spec: { tracing } });
    const outcome = update(tel([{}, {}]), tel([{ randomSamplingPercentage: 50 }]));
    assert.deepEqual(outcome.mutated.spec, { tracing: [{}, { randomSamplingPercentage: 1 }] });
    assert.ok(outcome.notes.includes('telemetry-defaults: spec.tracing[0].randomSamplingPercentage was removed by this update; left unset'));
  });
});

describe('UPDATE: workload templates', () => {
  const VALUES = { cpu: '100m', cpuLimit: '500m', memory: '103Mi', memoryLimit: '512Mi' };
  const RULES = { cpu: 'ratio', cpuLimit: 'ratio', memory: 'ratio', memoryLimit: 'ratio' };
  const APP = { cpu: '1', cpuLimit: '2', memory: '1Gi', memoryLimit: '2Gi' };

  function deployment(annotations: Record<string, string> | undefined, requests = { cpu: '1', memory: '1Gi' }): KubeObject {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'mesh' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' }, ...(annotations ? { annotations } : {}) },
          spec: { containers: [container('web', requests, { cpu: '2', memory: '2Gi' })] },
        },
      },
    };
  }

  const created = run(request(deployment(undefined)), env).mutated;
  const createdAnnotations = annotationsAt(created, ['spec', 'template']) ?? {};

  it('recomputes meshguard values when the app resources change', () => {
    const next = deployment(createdAnnotations, { cpu: '2', memory: '2Gi' });
    const outcome = update(next, created);
    const values = { cpu: '200m', cpuLimit: '500m', memory: '205Mi', memoryLimit: '512Mi' };
    assert.deepEqual(annotationsAt(outcome.mutated, ['spec', 'template']), {
      ...createdAnnotations,
      ...proxyAnnotations(values),
      'meshguard.io/sidecar-sizing': sizingRecord({ ...APP, cpu: '2', memory: '2Gi' }, values, RULES),
    });
  });

  it('keeps a value the user edited after meshguard wrote it', () => {
    const next = deployment({ ...createdAnnotations, 'sidecar.istio.io/proxyCPU': '300m' });
    const outcome = update(next, created);
    const values = { ...VALUES, cpu: '300m' };
    assert.deepEqual(annotationsAt(outcome.mutated, ['spec', 'template']), {
      ...createdAnnotations,
      ...proxyAnnotations(values),
      'meshguard.io/sidecar-sizing': sizingRecord(APP, values, { ...RULES, cpu: 'user' }),
    });
  });

  it('recomputes a sidecar value the user removed (meshguard-managed; the old user value is not restored)', () => {
    const withUser = deployment({ ...createdAnnotations, 'sidecar.istio.io/proxyCPU': '300m' });
    const stored = run(request(withUser, { operation: 'UPDATE', oldObject: created }), env).mutated;
    const removed = structuredClone(annotationsAt(stored, ['spec', 'template']) ?? {});
    delete removed['sidecar.istio.io/proxyCPU'];
    const outcome = update(deployment(removed), stored);
    assert.deepEqual(annotationsAt(outcome.mutated, ['spec', 'template']), {
      ...createdAnnotations,
      ...proxyAnnotations(VALUES),
      'meshguard.io/sidecar-sizing': sizingRecord(APP, VALUES, RULES),
    });
  });

  it('does not re-add a proxy-config key the user had set and then removed', () => {
    const userSet = run(request(deployment({ 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: false' })), env).mutated;
    const removed = { ...annotationsAt(userSet, ['spec', 'template']), 'proxy.istio.io/config': '{}' };
    const outcome = update(deployment(removed), userSet);
    assert.equal(annotationsAt(outcome.mutated, ['spec', 'template'])?.['proxy.istio.io/config'], '{}');
    assert.ok(outcome.notes.includes('telemetry-defaults: Deployment spec.template: proxy config key holdApplicationUntilProxyStarts was removed by this update; left unset'));
  });

  it('re-adds the proxy-config default meshguard had set when an apply dropped the annotation', () => {
    const dropped = structuredClone(createdAnnotations);
    delete dropped['proxy.istio.io/config'];
    const outcome = update(deployment(dropped), created);
    assert.equal(annotationsAt(outcome.mutated, ['spec', 'template'])?.['proxy.istio.io/config'], '{"holdApplicationUntilProxyStarts":true}');
  });
});
