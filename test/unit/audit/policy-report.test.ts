import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countViolations, judgedKinds } from '../../../src/audit/audit.js';
import { buildPolicyReports } from '../../../src/audit/policy-report.js';
import type { CheckResult } from '../../../src/policy/offline.js';
import type { RuleCatalog } from '../../../src/policy/types.js';

const catalog: RuleCatalog = {
  'pa-strict-mtls': { id: 'pa-strict-mtls', title: 't', severity: 'high', enforcement: 'deny', kinds: ['PeerAuthentication'], package: 'p' },
  'tm-sampling-cap': { id: 'tm-sampling-cap', title: 't', severity: 'medium', enforcement: 'deny', kinds: ['Telemetry'], package: 'p' },
  'ns-mesh-enrolled': { id: 'ns-mesh-enrolled', title: 't', severity: 'weird', enforcement: 'warn', kinds: ['Namespace', 'Telemetry'], package: 'p' },
};

function result(kind: string, namespace: string, name: string, violations: CheckResult['violations'], error?: string): CheckResult {
  return { file: 'cluster', line: 0, apiVersion: 'v1', kind, namespace, name, allowed: !violations.some((v) => v.enforcement === 'deny' && !v.exempt), violations, ...(error ? { error } : {}) };
}

const now = new Date('2026-01-02T03:04:05.678Z');
const ts = { seconds: 1767323045, nanos: 0 };

describe('PolicyReport building', () => {
  it('makes one report per namespace and a cluster report, one result per finding', () => {
    const results = [
      result('PeerAuthentication', 'prod', 'pa', [{ id: 'pa-strict-mtls', enforcement: 'deny', message: 'PERMISSIVE on 8080', exempt: false }]),
      result('Telemetry', 'prod', 'tm', [
        {
          id: 'tm-sampling-cap', enforcement: 'deny', message: '100%', exempt: true, exemptReason: 'exempt until 2026-12-31 (owner a)',
          exemptSource: 'annotation', exemptOwner: 'a', exemptExpires: '2026-12-31',
        },
        { id: 'ns-mesh-enrolled', enforcement: 'dryrun', message: 'dry', istioCode: 'IST0102', exempt: false },
      ]),
      result('Telemetry', 'prod', 'clean', []),
      result('Telemetry', 'dev', 'broken', [], 'policy evaluation failed: trap'),
      result('Namespace', '', 'prod', [{ id: 'ns-mesh-enrolled', enforcement: 'warn', message: 'not in mesh', exempt: false }]),
    ];
    const reports = buildPolicyReports(results, catalog, { now, alsoNamespaces: ['stale'] });
    const meta = (ns?: string) => ({
      name: 'meshguard', ...(ns ? { namespace: ns } : {}), labels: { 'app.kubernetes.io/managed-by': 'meshguard' }, annotations: { 'meshguard.io/omitted-results': '0' },
    });
    assert.deepEqual(reports, [
      {
        apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'ClusterPolicyReport', metadata: meta(),
        summary: { pass: 0, fail: 0, warn: 1, error: 0, skip: 0 },
        results: [{
          source: 'meshguard', policy: 'ns-mesh-enrolled', rule: 'ns-mesh-enrolled', result: 'warn', message: 'not in mesh', scored: true, timestamp: ts,
          resources: [{ apiVersion: 'v1', kind: 'Namespace', name: 'prod' }], properties: { enforcement: 'warn' },
        }],
      },
      {
        apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: meta('dev'),
        summary: { pass: 0, fail: 0, warn: 0, error: 1, skip: 0 },
        results: [{
          source: 'meshguard', policy: 'meshguard', rule: 'evaluation', result: 'error', message: 'policy evaluation failed: trap', scored: true, timestamp: ts,
          resources: [{ apiVersion: 'v1', kind: 'Telemetry', namespace: 'dev', name: 'broken' }], properties: {},
        }],
      },
      {
        apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: meta('prod'),
        summary: { pass: 1, fail: 1, warn: 1, error: 0, skip: 1 },
        results: [
          {
            source: 'meshguard', policy: 'pa-strict-mtls', rule: 'pa-strict-mtls', result: 'fail', severity: 'high', message: 'PERMISSIVE on 8080', scored: true, timestamp: ts,
            resources: [{ apiVersion: 'v1', kind: 'PeerAuthentication', namespace: 'prod', name: 'pa' }], properties: { enforcement: 'deny' },
          },
          {
            source: 'meshguard', policy: 'ns-mesh-enrolled', rule: 'ns-mesh-enrolled', result: 'warn', message: 'dry', scored: true, timestamp: ts,
            resources: [{ apiVersion: 'v1', kind: 'Telemetry', namespace: 'prod', name: 'tm' }], properties: { enforcement: 'dryrun', istioCode: 'IST0102' },
          },
          {
            source: 'meshguard', policy: 'tm-sampling-cap', rule: 'tm-sampling-cap', result: 'skip', severity: 'medium', message: '100%', scored: true, timestamp: ts,
            resources: [{ apiVersion: 'v1', kind: 'Telemetry', namespace: 'prod', name: 'tm' }], properties: {
              enforcement: 'deny', exemptReason: 'exempt until 2026-12-31 (owner a)', exemptSource: 'annotation', exemptOwner: 'a', exemptExpires: '2026-12-31',
            },
          },
        ],
      },
      {
        apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: meta('stale'),
        summary: { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 }, results: [],
      },
    ]);
  });

  it('caps the results, keeps failures first and counts everything in the summary', () => {
    const results = Array.from({ length: 30 }, (_, i) => result('Telemetry', 'big', `t${i}`, [
      { id: 'ns-mesh-enrolled', enforcement: 'warn', message: `w${i}`, exempt: false },
      ...(i % 10 === 0 ? [{ id: 'tm-sampling-cap', enforcement: 'deny', message: `f${i}`, exempt: false }] : []),
    ]));
    const [report] = buildPolicyReports(results, catalog, { now, maxResults: 5 });
    assert.deepEqual(report?.summary, { pass: 0, fail: 3, warn: 30, error: 0, skip: 0 });
    assert.equal(report?.results.length, 5);
    assert.deepEqual(report?.results.map((r) => r.result), ['fail', 'fail', 'fail', 'warn', 'warn']);
    assert.equal(report?.metadata.annotations['meshguard.io/omitted-results'], '28');
  });
});

describe('audit helpers', () => {
  it('lists the judged kinds of a catalog and counts violations per rule, enforcement and exemption', () => {
    assert.deepEqual(judgedKinds(catalog), ['Namespace', 'PeerAuthentication', 'Telemetry']);
    const withDeletes: RuleCatalog = {
      ...catalog,
      'gw-in-use': { id: 'gw-in-use', title: 't', severity: 'high', enforcement: 'deny', kinds: ['Gateway'], operations: ['DELETE'], package: 'p' },
      'x-on-write': { id: 'x-on-write', title: 't', severity: 'high', enforcement: 'deny', kinds: ['Sidecar'], operations: ['CREATE', 'DELETE'], package: 'p' },
    };
    assert.deepEqual(judgedKinds(withDeletes), ['Namespace', 'PeerAuthentication', 'Sidecar', 'Telemetry'], 'a rule that judges only deletions judges no object as it stands');
    const counts = countViolations([
      result('Telemetry', 'a', 'x', [{ id: 'tm-sampling-cap', enforcement: 'deny', message: 'm', exempt: false }, { id: 'tm-sampling-cap', enforcement: 'deny', message: 'n', exempt: true }]),
      result('Telemetry', 'a', 'y', [{ id: 'tm-sampling-cap', enforcement: 'deny', message: 'm', exempt: false }]),
    ]);
    assert.deepEqual([...counts.values()], [
      { rule: 'tm-sampling-cap', enforcement: 'deny', exempt: 'false', count: 2 },
      { rule: 'tm-sampling-cap', enforcement: 'deny', exempt: 'true', count: 1 },
    ]);
  });
});
