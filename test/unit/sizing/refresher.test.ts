import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { Metrics } from '../../../src/metrics.js';
import { parseSizingConfig } from '../../../src/sizing/config.js';
import type { PrometheusApi, Series } from '../../../src/sizing/prometheus.js';
import { SizingRefresher, startSizing } from '../../../src/sizing/refresher.js';

const END = 1_767_225_600;
const config = parseSizingConfig({ source: 'prometheus', prometheus: { url: 'http://prometheus.test:9090' }, window: '1h', step: '5m', minHistory: '30m', staleAfter: '10m', headroom: { cpu: 0, memory: 0 } });
const ref = { namespace: 'shop', kind: 'StatefulSet', name: 'db' };

/** A fake Prometheus answering one pod `db-0` with a constant CPU rate and working set. */
function fake(state: { cores: number; bytes: number; fail?: boolean }): PrometheusApi {
  const series = (value: number): Series[] => [{ labels: { namespace: 'shop', pod: 'db-0' }, samples: Array.from({ length: 12 }, (_, i) => [END - 3300 + i * 300, value] as const) }];
  return {
    query: () => Promise.resolve([]),
    queryRange: (q) => {
      if (state.fail) return Promise.reject(new Error('connection refused'));
      if (q.includes('cpu_usage')) return Promise.resolve(series(state.cores));
      if (q.includes('working_set')) return Promise.resolve(series(state.bytes));
      return Promise.resolve([]);
    },
  };
}

describe('SizingRefresher', () => {
  it('keeps a request until it moves past the hysteresis threshold; metrics follow the cache', async () => {
    const state = { cores: 0.1, bytes: 100 * 1024 * 1024 };
    const metrics = new Metrics(false);
    const r = new SizingRefresher({ config: () => config, metrics, log: pino({ level: 'silent' }) as FastifyBaseLogger, api: () => fake(state), clock: () => END });
    const requests = async (): Promise<unknown> => {
      assert.equal(await r.refresh(), true);
      const v = r.lookup(ref);
      return 'requests' in v ? v.requests : v;
    };
    assert.deepEqual(await requests(), { cpu: 100n, memory: 100n * 1024n * 1024n });
    Object.assign(state, { cores: 0.109, bytes: 91 * 1024 * 1024 });
    assert.deepEqual(await requests(), { cpu: 100n, memory: 100n * 1024n * 1024n }, 'within 10%: unchanged');
    Object.assign(state, { cores: 0.15, bytes: 91 * 1024 * 1024 });
    assert.deepEqual(await requests(), { cpu: 150n, memory: 100n * 1024n * 1024n }, 'CPU moved 50%: replaced; memory still within 10%');
    const lines = (await metrics.registry.metrics()).split('\n').filter((l) => l.startsWith('meshguard_sizing_recommendation{'));
    assert.deepEqual(lines, [
      'meshguard_sizing_recommendation{namespace="shop",kind="StatefulSet",workload="db",resource="cpu"} 0.15',
      'meshguard_sizing_recommendation{namespace="shop",kind="StatefulSet",workload="db",resource="memory"} 104857600',
    ]);
  });

  it('with source static it never queries, and lookups say why', async () => {
    let calls = 0;
    const staticConfig = parseSizingConfig(undefined);
    const r = new SizingRefresher({
      config: () => staticConfig, metrics: new Metrics(false), log: pino({ level: 'silent' }) as FastifyBaseLogger, clock: () => END,
      api: () => ({ query: () => (calls++, Promise.resolve([])), queryRange: () => (calls++, Promise.resolve([])) }),
    });
    assert.equal(await r.refresh(), false);
    assert.equal(calls, 0);
    assert.deepEqual(r.lookup(ref), { fallback: 'no recommendations yet (first refresh pending)' });
  });
});

describe('startSizing', () => {
  it('keeps the last good settings when a reloaded org config has a bad sizing section, logging it once', () => {
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) }) as FastifyBaseLogger;
    let org: { raw: Record<string, unknown> } = { raw: { sizing: { source: 'prometheus', prometheus: { url: 'http://prometheus.test:9090' }, cpuQuantile: 0.9 } } };
    const refresher = startSizing(() => org, new Metrics(false), log, { manual: true });
    assert.equal(refresher.config.cpuQuantile, 0.9);
    org = { raw: { sizing: { cpuQuantile: 7 } } };
    assert.equal(refresher.config.cpuQuantile, 0.9);
    assert.equal(refresher.config.cpuQuantile, 0.9);
    assert.deepEqual(lines.map((l) => [l.code, l.err, l.msg]), [
      ['MG_ERR_ORG_CONFIG_INVALID', 'org config sizing.cpuQuantile: expected a number from 0.5 to 1', 'reloaded org config has an invalid sizing section; keeping the previous sizing settings'],
    ]);
    assert.throws(() => startSizing(() => org, new Metrics(false), log, { manual: true }), { code: 'MG_ERR_ORG_CONFIG_INVALID' });
  });
});

describe('meshguard_readiness_check', () => {
  it('reports each readiness check at scrape time (kube = informers synced)', async () => {
    const metrics = new Metrics(false);
    const checks: Record<string, { ok: boolean }> = { policy: { ok: true }, kube: { ok: false } };
    metrics.readinessChecks = () => checks;
    const scrape = async (): Promise<string[]> => (await metrics.registry.metrics()).split('\n').filter((l) => l.startsWith('meshguard_readiness_check{'));
    assert.deepEqual(await scrape(), ['meshguard_readiness_check{check="policy"} 1', 'meshguard_readiness_check{check="kube"} 0']);
    checks.kube = { ok: true };
    assert.deepEqual(await scrape(), ['meshguard_readiness_check{check="policy"} 1', 'meshguard_readiness_check{check="kube"} 1']);
  });
});
