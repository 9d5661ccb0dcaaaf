import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadOrgConfig } from '../../../src/org-config.js';
import { defaultSizingConfig, formatDuration, parseSizingConfig, sizingConfigOf } from '../../../src/sizing/config.js';
import { cpuMillis, memoryBytes, nearestRank, withHysteresis } from '../../../src/sizing/recommend.js';
import { objectWorkload, podWorkload } from '../../../src/sizing/workloads.js';

const noOwners = { pods: new Map(), replicaSets: new Map() };

describe('sizing config', () => {
  it('config/org-config.yaml documents exactly the built-in defaults', async () => {
    assert.deepEqual(sizingConfigOf(await loadOrgConfig()), defaultSizingConfig);
    assert.deepEqual(parseSizingConfig(undefined), defaultSizingConfig);
  });

  it('reads durations and checks every key, naming the path of a bad one', () => {
    const c = parseSizingConfig({ source: 'prometheus', prometheus: { url: 'http://prom:9090' }, window: '2d', step: '1m', minHistory: '36h', hysteresis: 0 });
    assert.deepEqual([c.window, c.step, c.minHistory, c.hysteresis, formatDuration(c.window), formatDuration(c.minHistory)], [172800, 60, 129600, 0, '2d', '36h']);
    const bad: Array<[unknown, string]> = [
      [{ source: 'prometheus' }, 'org config sizing.prometheus.url: is required with source: prometheus'],
      [{ source: 'vpa' }, 'org config sizing.source: expected one of static, prometheus'],
      [{ window: '7 days' }, 'org config sizing.window: expected a duration such as 90s, 5m, 24h or 7d'],
      [{ cpuQuantile: 0.2 }, 'org config sizing.cpuQuantile: expected a number from 0.5 to 1'],
      [{ headroom: { cpu: -1 } }, 'org config sizing.headroom.cpu: expected a number from 0 to 10'],
      [{ prometheus: { url: 'prom:9090' } }, 'org config sizing.prometheus.url: expected an http:// or https:// URL'],
      [{ prometheus: { url: 'https://admin:s3cret@prom:9090' } }, 'org config sizing.prometheus.url: must not contain credentials (use basicAuth or bearerTokenFile)'],
      [{ prometheus: { token: 'x' } }, 'org config sizing.prometheus.token: unknown setting (allowed: url, bearerTokenFile, basicAuth, timeoutSeconds)'],
      [{ window: '1h', minHistory: '2h' }, 'org config sizing.minHistory: must not be longer than sizing.window'],
      [[], 'org config sizing: expected a mapping'],
      [{ window: '30d', step: '1m' }, 'org config sizing.step: gives 43200 samples per pod over sizing.window; Prometheus answers at most 11000'],
    ];
    for (const [raw, message] of bad) assert.throws(() => parseSizingConfig(raw), { code: 'MG_ERR_ORG_CONFIG_INVALID', message });
  });
});

describe('recommendation arithmetic', () => {
  it('nearest-rank quantile, CPU rounded up to millicores, memory to whole Mi, both exact', () => {
    assert.equal(nearestRank([5, 1, 4, 2, 3], 0.95), 5);
    assert.equal(nearestRank([5, 1, 4, 2, 3], 0.5), 3);
    assert.equal(nearestRank(Array.from({ length: 100 }, (_, i) => i + 1), 0.95), 95);
    assert.equal(cpuMillis(0.05, 0.2), 60n);
    assert.equal(cpuMillis(0.146, 0.2), 176n);
    assert.equal(cpuMillis(0.1 + 0.2, 0), 300n, 'float noise does not round up a millicore');
    assert.equal(memoryBytes(60 * 1024 * 1024, 0.2), 72n * 1024n * 1024n);
    assert.equal(memoryBytes(100 * 1024 * 1024 + 1, 0), 101n * 1024n * 1024n);
  });

  it('hysteresis keeps the previous request unless the new one moves past the threshold', () => {
    const prev = { cpu: 100n, memory: 100n * 1024n * 1024n };
    assert.deepEqual(withHysteresis(prev, { cpu: 110n, memory: 91n * 1024n * 1024n }, 0.1), prev);
    assert.deepEqual(withHysteresis(prev, { cpu: 111n, memory: 89n * 1024n * 1024n }, 0.1), { cpu: 111n, memory: 89n * 1024n * 1024n });
    assert.deepEqual(withHysteresis(undefined, prev, 0.1), prev);
  });
});

describe('workload identity', () => {
  it('pods in Prometheus: kube-state-metrics owners first, else the pod-name pattern', () => {
    const owners = {
      pods: new Map([['ns/web-7d9f8c6b5-x2x7z', { kind: 'ReplicaSet', name: 'web-7d9f8c6b5' }], ['ns/solo', { kind: '<none>', name: '<none>' }], ['ns/job-x', { kind: 'Job', name: 'nightly' }]]),
      replicaSets: new Map([['ns/web-7d9f8c6b5', { kind: 'Deployment', name: 'frontend' }]]),
    };
    assert.deepEqual(podWorkload('ns', 'web-7d9f8c6b5-x2x7z', owners), { namespace: 'ns', kind: 'Deployment', name: 'frontend' });
    assert.deepEqual(podWorkload('ns', 'solo', owners), { namespace: 'ns', kind: 'Pod', name: 'solo' });
    assert.deepEqual(podWorkload('ns', 'job-x', owners), { namespace: 'ns', kind: 'Job', name: 'nightly' });
    assert.deepEqual(podWorkload('ns', 'api-5c8d7f6b9-q7w2n', noOwners), { namespace: 'ns', kind: 'Deployment', name: 'api' });
    assert.deepEqual(podWorkload('ns', 'db-10', noOwners), { namespace: 'ns', kind: 'StatefulSet', name: 'db' });
    assert.deepEqual(podWorkload('ns', 'node-agent-z9x8w', noOwners), { namespace: 'ns', kind: 'DaemonSet', name: 'node-agent' });
    assert.deepEqual(podWorkload('ns', 'standalone', noOwners), { namespace: 'ns', kind: 'Pod', name: 'standalone' });
  });

  it('admitted objects: a Pod by its controller as Istio names it (ReplicaSet + pod-template-hash = Deployment, Job + timestamp = CronJob), a template by its workload', () => {
    const pod = (labels: Record<string, string>, owner?: { kind: string; name: string }) => ({
      kind: 'Pod', metadata: { name: 'p-1', generateName: 'p-', labels, ...(owner ? { ownerReferences: [{ ...owner, controller: true }] } : {}) },
    });
    assert.deepEqual(objectWorkload(pod({ 'pod-template-hash': 'abc12' }, { kind: 'ReplicaSet', name: 'web-abc12' }), 'Pod', 'ns'), { namespace: 'ns', kind: 'Deployment', name: 'web' });
    assert.deepEqual(objectWorkload(pod({}, { kind: 'ReplicaSet', name: 'web-abc12' }), 'Pod', 'ns'), { namespace: 'ns', kind: 'ReplicaSet', name: 'web-abc12' });
    assert.deepEqual(objectWorkload(pod({}, { kind: 'StatefulSet', name: 'db' }), 'Pod', 'ns'), { namespace: 'ns', kind: 'StatefulSet', name: 'db' });
    assert.deepEqual(objectWorkload(pod({}), 'Pod', 'ns'), { namespace: 'ns', kind: 'Pod', name: 'p-1' });
    assert.deepEqual(objectWorkload(pod({}, { kind: 'Job', name: 'backup-28934560' }), 'Pod', 'ns'), { namespace: 'ns', kind: 'CronJob', name: 'backup' });
    assert.deepEqual(objectWorkload({ kind: 'Deployment', metadata: { name: 'web' } }, 'Deployment', 'ns'), { namespace: 'ns', kind: 'Deployment', name: 'web' });
    assert.equal(objectWorkload({ kind: 'Pod', metadata: { generateName: 'x-' } }, 'Pod', 'ns'), undefined);
  });
});
