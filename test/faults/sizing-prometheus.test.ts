import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MeshguardServer } from '../../src/server.js';
import type { SizingConfig } from '../../src/sizing/config.js';
import { PrometheusClient, type PrometheusApi } from '../../src/sizing/prometheus.js';
import { admissionReview } from '../support/fixtures.js';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.js';
import { post, orgConfigFile, testServer } from '../support/server.js';
import { defaultRecord, patchedAnnotations, podOf, sizing, sizingOrgConfig } from '../support/sized-pods.js';
import { END, NAMESPACE, trafficHistory } from '../support/traffic-history.js';

const CART_VALUES = { cpu: '60m', cpuLimit: '300m', memory: '72Mi', memoryLimit: '256Mi' };
const CART_RECORD = {
  ...defaultRecord(CART_VALUES, { cpu: 'observed', cpuLimit: 'factor', memory: 'observed', memoryLimit: 'floor' }),
  source: 'prometheus', window: '12h', samples: 288,
};
const STATIC_VALUES = { cpu: '50m', cpuLimit: '250m', memory: '64Mi', memoryLimit: '256Mi' };
const STATIC_RECORD = { ...defaultRecord(STATIC_VALUES, { cpu: 'ratio', cpuLimit: 'factor', memory: 'floor', memoryLimit: 'floor' }) };

/** The real client, counting every query, so a test can show the admission path never asks. */
function counted(counter: { calls: number }) {
  return (config: SizingConfig): PrometheusApi => {
    const client = new PrometheusClient(config.prometheus);
    return {
      query: (q, t) => (counter.calls++, client.query(q, t)),
      queryRange: (q, s, e, step) => (counter.calls++, client.queryRange(q, s, e, step)),
    };
  };
}

describe('observed sizing when Prometheus goes away', { timeout: 10 * 60_000 }, () => {
  let prometheus: TestPrometheus;
  let server: MeshguardServer;
  let now = END;
  const counter = { calls: 0 };
  before(async () => {
    prometheus = await startPrometheus(trafficHistory());
    server = await testServer({ orgConfig: await orgConfigFile(sizingOrgConfig(prometheus.url)) }, { sizing: { clock: () => now, manual: true, api: counted(counter) } });
  });
  after(async () => {
    await server?.close();
    await prometheus?.dispose();
  });

  async function cart(uid: string): Promise<ReturnType<typeof sizing>> {
    const pod = podOf('Deployment', 'cart');
    const res = await post(server, '/mutate', admissionReview(pod, { uid, namespace: NAMESPACE })).expect(200);
    return sizing(patchedAnnotations(pod, res.body));
  }

  it('stopped mid-test: /mutate answers from the cached recommendation without contacting Prometheus', async () => {
    assert.equal(await server.services.sizing!.refresh(), true);
    assert.equal(counter.calls, 5, 'one refresh runs the five recommender queries');
    await prometheus.stop();
    for (const uid of ['down-1', 'down-2', 'down-3']) {
      const got = await cart(uid);
      assert.deepEqual(got, { values: CART_VALUES, record: CART_RECORD });
    }
    assert.equal(counter.calls, 5, 'no admission contacted Prometheus');
  });

  it('a failed refresh keeps the recommendations until they are stale, then sizes statically and says why', async () => {
    assert.equal(await server.services.sizing!.refresh(), false);
    assert.deepEqual(await cart('down-4'), { values: CART_VALUES, record: CART_RECORD });
    now = END + 3601;
    const port = new URL(prometheus.url).port;
    assert.deepEqual(await cart('down-5'), {
      values: STATIC_VALUES,
      record: {
        ...STATIC_RECORD, source: 'static',
        fallback: `recommendations are stale: last refreshed 2026-01-01T00:00:00.000Z (last refresh failed: Prometheus at ${prometheus.url} is unreachable (fetch failed: connect ECONNREFUSED 127.0.0.1:${port}))`,
      },
    });
    const text = await server.services.metrics.registry.metrics();
    assert.deepEqual(text.split('\n').filter((l) => l.startsWith('meshguard_sizing_refreshes_total')), [
      'meshguard_sizing_refreshes_total{result="success"} 1',
      'meshguard_sizing_refreshes_total{result="failure"} 1',
    ]);
  });

  it('unreachable from the start: static sizing with the reason, and the server still answers', async () => {
    const fresh = await testServer({ orgConfig: await orgConfigFile(sizingOrgConfig(prometheus.url)) }, { sizing: { clock: () => END, manual: true } });
    try {
      assert.equal(await fresh.services.sizing!.refresh(), false);
      const pod = podOf('Deployment', 'cart');
      const res = await post(fresh, '/mutate', admissionReview(pod, { uid: 'never-up', namespace: NAMESPACE })).expect(200);
      const port = new URL(prometheus.url).port;
      assert.deepEqual(sizing(patchedAnnotations(pod, res.body)), {
        values: STATIC_VALUES,
        record: { ...STATIC_RECORD, source: 'static', fallback: `no recommendations yet (last refresh failed: Prometheus at ${prometheus.url} is unreachable (fetch failed: connect ECONNREFUSED 127.0.0.1:${port}))` },
      });
    } finally {
      await fresh.close();
    }
  });

  it('a bad sizing section fails start with the key named', async () => {
    const org = await orgConfigFile('sizing:\n  source: prometheus\n  cpuQuantile: 2\n  prometheus: {url: "http://127.0.0.1:9"}\n');
    await assert.rejects(testServer({ orgConfig: org }, { sizing: { manual: true } }), {
      code: 'MG_ERR_ORG_CONFIG_INVALID', message: 'org config sizing.cpuQuantile: expected a number from 0.5 to 1',
    });
  });
});
