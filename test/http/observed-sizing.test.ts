import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MeshguardServer } from '../../src/server.js';
import { admissionReview } from '../support/fixtures.js';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.js';
import { post, orgConfigFile, testServer } from '../support/server.js';
import { defaultRecord, patchedAnnotations, podOf, sizing, sizingOrgConfig } from '../support/sized-pods.js';
import { END, NAMESPACE, trafficHistory } from '../support/traffic-history.js';

const RECOMMENDED_RULES = { cpu: 'observed', cpuLimit: 'factor', memory: 'observed', memoryLimit: 'factor' };
/** Static sizing of the 500m / 512Mi app: ratio 0.1 and factors, lifted to the floors. */
const STATIC_VALUES = { cpu: '50m', cpuLimit: '250m', memory: '64Mi', memoryLimit: '256Mi' };
const STATIC_RECORD = { ...defaultRecord(STATIC_VALUES, { cpu: 'ratio', cpuLimit: 'factor', memory: 'floor', memoryLimit: 'floor' }) };

describe('observed sizing: /mutate sizes istio-proxy from a real Prometheus with backfilled history', { timeout: 10 * 60_000 }, () => {
  let prometheus: TestPrometheus;
  let server: MeshguardServer;
  let recommendOnly: MeshguardServer;
  before(async () => {
    prometheus = await startPrometheus(trafficHistory());
    const deps = { sizing: { clock: () => END, manual: true } };
    server = await testServer({ orgConfig: await orgConfigFile(sizingOrgConfig(prometheus.url)) }, deps);
    recommendOnly = await testServer({ orgConfig: await orgConfigFile(sizingOrgConfig(prometheus.url, '  mode: recommend')) }, deps);
    assert.equal(await server.services.sizing!.refresh(), true);
    assert.equal(await recommendOnly.services.sizing!.refresh(), true);
  });
  after(async () => {
    await server?.close();
    await recommendOnly?.close();
    await prometheus?.dispose();
  });

  async function mutated(s: MeshguardServer, pod: ReturnType<typeof podOf>, uid: string): Promise<ReturnType<typeof sizing>> {
    const res = await post(s, '/mutate', admissionReview(pod, { uid, namespace: NAMESPACE })).expect(200);
    return sizing(patchedAnnotations(pod, res.body));
  }

  const profiles = [
    { profile: 'steady (kube-state-metrics owners)', pod: podOf('Deployment', 'cart'), samples: 288,
      values: { cpu: '60m', cpuLimit: '300m', memory: '72Mi', memoryLimit: '256Mi' }, rules: { ...RECOMMENDED_RULES, memoryLimit: 'floor' } },
    { profile: 'bursty (ReplicaSet name pattern)', pod: podOf('Deployment', 'search', { hash: '5c8d7f6b9' }), samples: 144,
      values: { cpu: '960m', cpuLimit: '2', memory: '216Mi', memoryLimit: '432Mi' }, rules: { ...RECOMMENDED_RULES, cpuLimit: 'ceiling' } },
    { profile: 'growing (StatefulSet pod-name pattern)', pod: podOf('StatefulSet', 'ledger'), samples: 288,
      values: { cpu: '176m', cpuLimit: '880m', memory: '180Mi', memoryLimit: '360Mi' }, rules: RECOMMENDED_RULES },
    { profile: 'native sidecar (istio-proxy as a restartPolicy: Always init container)',
      pod: podOf('Deployment', 'payments', { hash: '6f7c9d8b4', initContainers: [{ name: 'istio-proxy', image: 'proxyv2', restartPolicy: 'Always', resources: { requests: { cpu: '2', memory: '1Gi' } } }] }),
      samples: 144, values: { cpu: '240m', cpuLimit: '1200m', memory: '240Mi', memoryLimit: '480Mi' }, rules: RECOMMENDED_RULES },
  ];
  for (const p of profiles) {
    it(`${p.profile}: the four annotations from the observed quantile and peak plus headroom, recorded with source, window and samples`, async () => {
      const got = await mutated(server, p.pod, `obs-${p.samples}-${p.values.cpu}`);
      assert.deepEqual(got.values, p.values);
      assert.deepEqual(got.record, { ...defaultRecord(p.values, p.rules), source: 'prometheus', window: '12h', samples: p.samples });
    });
  }

  it('a second pass over a sized Pod changes nothing (the recorded values are meshguard\'s own)', async () => {
    const pod = podOf('Deployment', 'cart');
    const first = await post(server, '/mutate', admissionReview(pod, { uid: 'obs-pass-1', namespace: NAMESPACE })).expect(200);
    const sized = { ...pod, metadata: { ...pod.metadata, annotations: patchedAnnotations(pod, first.body) } };
    const again = await post(server, '/mutate', admissionReview(sized, { uid: 'obs-pass-2', namespace: NAMESPACE })).expect(200);
    assert.deepEqual(again.body.response, { uid: 'obs-pass-2', allowed: true });
  });

  it('too little history: static sizing, and the record says why', async () => {
    const got = await mutated(server, podOf('Deployment', 'fresh', { hash: '7b6d5c4f9' }), 'obs-fresh');
    assert.deepEqual(got.values, STATIC_VALUES);
    assert.deepEqual(got.record, { ...STATIC_RECORD, source: 'static', fallback: 'insufficient-history: 3h of history (36 samples), 6h needed' });
  });

  it('a workload whose samples stopped: static sizing, stale', async () => {
    const got = await mutated(server, podOf('DaemonSet', 'node-agent'), 'obs-agent');
    assert.deepEqual(got.record, { ...STATIC_RECORD, source: 'static', fallback: 'stale: no samples since 2025-12-31T21:00:00.000Z' });
  });

  it('a workload Prometheus has never seen: static sizing; a restartable app init container counts in the effective request', async () => {
    const shipper = { name: 'log-shipper', image: 'shipper', restartPolicy: 'Always', resources: { requests: { cpu: '500m', memory: '512Mi' } } };
    const got = await mutated(server, podOf('Deployment', 'new-service', { initContainers: [shipper] }), 'obs-new');
    const values = { cpu: '100m', cpuLimit: '500m', memory: '103Mi', memoryLimit: '256Mi' };
    assert.deepEqual(got.values, values);
    assert.deepEqual(got.record, {
      ...defaultRecord(values, { cpu: 'ratio', cpuLimit: 'factor', memory: 'ratio', memoryLimit: 'floor' }, { cpu: '1', cpuLimit: null, memory: '1Gi', memoryLimit: null }),
      source: 'static', fallback: 'no istio-proxy usage for this workload in Prometheus',
    });
  });

  it('mode: recommend sizes statically and only reports the recommendation', async () => {
    const got = await mutated(recommendOnly, podOf('Deployment', 'cart'), 'obs-recommend');
    assert.deepEqual(got.values, STATIC_VALUES);
    assert.deepEqual(got.record, { ...STATIC_RECORD, source: 'static', recommended: { cpu: '60m', memory: '72Mi' }, samples: 288 });
  });

  it('exports the recommendations and the refresh as metrics', async () => {
    const text = await server.services.metrics.registry.metrics();
    const lines = text.split('\n').filter((l) => /^meshguard_sizing_(recommendation|refreshes_total|last_refresh)/.test(l));
    assert.deepEqual(lines, [
      'meshguard_sizing_recommendation{namespace="shop",kind="Deployment",workload="cart",resource="cpu"} 0.06',
      'meshguard_sizing_recommendation{namespace="shop",kind="Deployment",workload="cart",resource="memory"} 75497472',
      'meshguard_sizing_recommendation{namespace="shop",kind="StatefulSet",workload="ledger",resource="cpu"} 0.176',
      'meshguard_sizing_recommendation{namespace="shop",kind="StatefulSet",workload="ledger",resource="memory"} 188743680',
      'meshguard_sizing_recommendation{namespace="shop",kind="Deployment",workload="payments",resource="cpu"} 0.24',
      'meshguard_sizing_recommendation{namespace="shop",kind="Deployment",workload="payments",resource="memory"} 251658240',
      'meshguard_sizing_recommendation{namespace="shop",kind="Deployment",workload="search",resource="cpu"} 0.96',
      'meshguard_sizing_recommendation{namespace="shop",kind="Deployment",workload="search",resource="memory"} 226492416',
      'meshguard_sizing_refreshes_total{result="success"} 1',
      `meshguard_sizing_last_refresh_timestamp_seconds ${END}`,
    ]);
  });
});
