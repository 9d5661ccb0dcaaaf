import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sizingReportResults, type RecommendRow } from '../../../src/cli/recommend-output.js';
import { buildPolicyReports } from '../../../src/audit/policy-report.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const observed = { pods: 2, samples: 288, cpu: '50m', memoryPeak: '60Mi', requestsPerSecond: 100, cpuPerThousandRps: 1000 };
const rows: RecommendRow[] = [
  {
    workload: 'shop/Deployment/cart', current: { cpu: '50m', cpuLimit: '250m', memory: '64Mi', memoryLimit: '256Mi' }, observed,
    recommended: { cpu: '60m', cpuLimit: '300m', memory: '72Mi', memoryLimit: '256Mi' },
    change: { cpu: '+20%', cpuLimit: '+20%', memory: '+13%', memoryLimit: 'none' }, source: 'prometheus',
  },
  {
    workload: 'shop/Deployment/fresh', current: {}, observed: null,
    recommended: { cpu: '50m', cpuLimit: '250m', memory: '64Mi', memoryLimit: '256Mi' },
    change: { cpu: 'new', cpuLimit: 'new', memory: 'new', memoryLimit: 'new' }, source: 'static', fallback: 'insufficient-history: 3h of history (36 samples), 6h needed',
  },
];

describe('audit --policy-report --sizing', () => {
  it('carries each recommendation as a PolicyReport result in its namespace', () => {
    const [report] = buildPolicyReports([], {}, { now: NOW, extra: sizingReportResults(rows, NOW) });
    assert.deepEqual(report!.summary, { pass: 0, fail: 0, warn: 1, error: 0, skip: 1 });
    assert.equal(report!.metadata.namespace, 'shop');
    assert.deepEqual(report!.results, [
      {
        source: 'meshguard', policy: 'sidecar-sizing', rule: 'sidecar-sizing', result: 'warn', severity: 'info', scored: false,
        message: 'istio-proxy recommendation cpu=60m cpuLimit=300m memory=72Mi memoryLimit=256Mi (current cpu=50m cpuLimit=250m memory=64Mi memoryLimit=256Mi)',
        timestamp: { seconds: 1767225600, nanos: 0 },
        resources: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'cart' }],
        properties: {
          source: 'prometheus', recommended: 'cpu=60m cpuLimit=300m memory=72Mi memoryLimit=256Mi', current: 'cpu=50m cpuLimit=250m memory=64Mi memoryLimit=256Mi',
          samples: '288', cpuObserved: '50m', memoryPeak: '60Mi',
        },
      },
      {
        source: 'meshguard', policy: 'sidecar-sizing', rule: 'sidecar-sizing', result: 'skip', severity: 'info', scored: false,
        message: 'sized statically: insufficient-history: 3h of history (36 samples), 6h needed',
        timestamp: { seconds: 1767225600, nanos: 0 },
        resources: [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'fresh' }],
        properties: { source: 'static', recommended: 'cpu=50m cpuLimit=250m memory=64Mi memoryLimit=256Mi', current: 'cpu=- cpuLimit=- memory=- memoryLimit=-' },
      },
    ]);
  });
});
