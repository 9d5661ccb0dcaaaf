import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { PrometheusClient } from '../../src/sizing/prometheus.js';
import { promtool, startPrometheus, type TestPrometheus } from '../support/prometheus.js';
import { END, trafficHistory } from '../support/traffic-history.js';
import { CHART, helm, one, render, runHelm, template, type K8sObject } from './helm.js';

const PACK = { observability: { dashboard: { enabled: true }, prometheusRule: { enabled: true } }, serviceMonitor: { enabled: true } };
const SELECTOR = 'job="meshguard",namespace="meshguard-system"';

interface Panel { type: string; title: string; targets?: Array<{ expr: string }> }
interface Rule { alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> }

function dashboard(objects: K8sObject[]): { panels: Panel[] } {
  const cm = one(objects, 'ConfigMap', 'meshguard-dashboard');
  return JSON.parse((cm.data as Record<string, string>)['meshguard.json']!) as { panels: Panel[] };
}

function rules(objects: K8sObject[]): Rule[] {
  return (one(objects, 'PrometheusRule', 'meshguard').spec as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
}

describe('chart: observability pack (dashboard, alerts, ServiceMonitor)', { timeout: 40 * 60_000 }, () => {
  let objects: K8sObject[];
  let prometheus: TestPrometheus;
  let dir: string;
  before(async () => {
    await helm();
    [objects, prometheus, dir] = await Promise.all([
      render({ values: PACK }), startPrometheus(trafficHistory()), mkdtemp(path.join(os.tmpdir(), 'meshguard-rules-')),
    ]);
  });
  after(async () => {
    await prometheus?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is off by default', async () => {
    const kinds = (await render()).map((o) => o.kind);
    assert.deepEqual(kinds.filter((k) => k === 'PrometheusRule' || k === 'ServiceMonitor'), []);
    assert.equal((await render()).filter((o) => o.metadata.name === 'meshguard-dashboard').length, 0);
  });

  it('renders the dashboard ConfigMap for the Grafana sidecar, with one row per concern', () => {
    const cm = one(objects, 'ConfigMap', 'meshguard-dashboard');
    assert.equal(cm.metadata.namespace, 'meshguard-system');
    assert.equal(cm.metadata.labels?.grafana_dashboard, '1');
    assert.deepEqual(cm.metadata.annotations, { grafana_folder: 'meshguard' });
    const { panels } = dashboard(objects);
    assert.deepEqual(panels.filter((p) => p.type === 'row').map((p) => p.title), ['Admissions', 'Policy engine', 'Health', 'Sidecar sizing', 'Mesh traffic']);
    assert.deepEqual(panels.filter((p) => p.type !== 'row').map((p) => p.title), [
      'Admissions by webhook and outcome', 'Denials by rule', 'Admission latency p50 / p99', 'Failure-mode answers', 'Mutations applied',
      'Policy evaluation time p50 / p99', 'Serving bundle version', 'Bundle loads, failures, degraded, timeouts',
      'Serving certificate expires in', 'Readiness checks (informers synced = kube)', 'Cluster inventory and webhook configuration drift',
      'istio-proxy CPU: recommended vs requested', 'istio-proxy memory: recommended vs requested', 'Recommendations age and refreshes',
      'Request rate by service and response code', 'P99 request latency by service', 'TCP connections opened / closed by service',
    ]);
    for (const t of panels.flatMap((p) => p.targets ?? [])) {
      assert.ok(!t.expr.includes('meshguard_') || t.expr.includes(SELECTOR), `meshguard series are selected by the ServiceMonitor's job: ${t.expr}`);
    }
  });

  it('renders the PrometheusRule: every alert the pack promises, thresholds from the values', () => {
    const all = rules(objects);
    assert.deepEqual(all.map((r) => [r.alert, r.for ?? '', r.labels.severity]), [
      ['MeshguardDown', '5m', 'critical'],
      ['MeshguardFailureModeAnswers', '5m', 'warning'],
      ['MeshguardPolicyEvaluationErrors', '5m', 'warning'],
      ['MeshguardPolicyEvaluationTimeouts', '', 'warning'],
      ['MeshguardWebhookLatencyHigh', '10m', 'warning'],
      ['MeshguardCertificateExpiringSoon', '1h', 'warning'],
      ['MeshguardPolicyBundleLoadFailures', '', 'warning'],
      ['MeshguardPolicyBundleDegraded', '15m', 'warning'],
      ['MeshguardInformersNotSynced', '10m', 'warning'],
      ['MeshguardWebhookConfigurationDrift', '10m', 'warning'],
      ['MeshguardSizingRecommendationsStale', '15m', 'info'],
    ]);
    const byName = Object.fromEntries(all.map((r) => [r.alert, r.expr]));
    assert.equal(byName.MeshguardWebhookLatencyHigh, `histogram_quantile(0.99, sum by (le, webhook) (rate(meshguard_admission_duration_seconds_bucket{${SELECTOR}}[5m]))) > 4`);
    assert.equal(byName.MeshguardCertificateExpiringSoon, `min(meshguard_tls_certificate_expiry_timestamp_seconds{${SELECTOR}}) - time() < 14 * 86400`);
    assert.equal(byName.MeshguardPolicyBundleDegraded, `max(meshguard_policy_bundle_degraded{${SELECTOR}}) == 1`);
    assert.equal(byName.MeshguardPolicyEvaluationTimeouts, `sum(increase(meshguard_policy_evaluation_timeouts_total{${SELECTOR}}[5m])) > 0`);
    const sm = one(objects, 'ServiceMonitor', 'meshguard');
    assert.deepEqual((sm.spec as { endpoints: Array<{ port: string }> }).endpoints.map((e) => e.port), ['http-metrics']);
    assert.equal(one(objects, 'Service', 'meshguard').metadata.name, 'meshguard', 'the ServiceMonitor\'s job is the Service name the selector names');
  });

  it('promtool check rules accepts the rendered groups', async () => {
    const file = path.join(dir, 'rules.yaml');
    await writeFile(file, stringify(one(objects, 'PrometheusRule', 'meshguard').spec));
    const out = await promtool(['check', 'rules', file]);
    assert.match(out, /SUCCESS: 11 rules found/);
  });

  it('promtool test rules: the alerts fire on the series they watch, after their for: duration', async () => {
    const byName = Object.fromEntries(rules(objects).map((r) => [r.alert, r]));
    const series = (name: string, extra = '') => `${name}{${SELECTOR},pod="meshguard-a"${extra}}`;
    const fired = (alert: string, labels: Record<string, string> = {}) => {
      const annotations = Object.fromEntries(Object.entries(byName[alert]!.annotations).map(([k, v]) => [k, v.replace('{{ $labels.configuration }}', labels.configuration ?? '')]));
      return { exp_labels: { severity: byName[alert]!.labels.severity, ...labels }, exp_annotations: annotations };
    };
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '1m',
        input_series: [
          { series: series('meshguard_policy_bundle_degraded'), values: '0 0 0 0 0 1x40' },
          { series: series('meshguard_readiness_check', ',check="kube"'), values: '1 1 1 1 1 0x40' },
          { series: series('meshguard_webhook_configuration_drift', ',configuration="0-meshguard-mutating"'), values: '0x45' },
          { series: series('meshguard_webhook_configuration_drift', ',configuration="meshguard-validating"'), values: '1x45' },
          // notAfter 10 days after the test's epoch: under the 14-day threshold from the start.
          { series: series('meshguard_tls_certificate_expiry_timestamp_seconds'), values: '864000x90' },
        ],
        alert_rule_test: [
          { eval_time: '15m', alertname: 'MeshguardPolicyBundleDegraded', exp_alerts: [] },
          { eval_time: '21m', alertname: 'MeshguardPolicyBundleDegraded', exp_alerts: [fired('MeshguardPolicyBundleDegraded')] },
          { eval_time: '14m', alertname: 'MeshguardInformersNotSynced', exp_alerts: [] },
          { eval_time: '16m', alertname: 'MeshguardInformersNotSynced', exp_alerts: [fired('MeshguardInformersNotSynced')] },
          { eval_time: '11m', alertname: 'MeshguardWebhookConfigurationDrift', exp_alerts: [fired('MeshguardWebhookConfigurationDrift', { configuration: 'meshguard-validating' })] },
          { eval_time: '59m', alertname: 'MeshguardCertificateExpiringSoon', exp_alerts: [] },
          { eval_time: '61m', alertname: 'MeshguardCertificateExpiringSoon', exp_alerts: [fired('MeshguardCertificateExpiringSoon')] },
          { eval_time: '10m', alertname: 'MeshguardDown', exp_alerts: [fired('MeshguardDown')] },
        ],
      }],
    };
    await writeFile(path.join(dir, 'rules.yaml'), stringify(one(objects, 'PrometheusRule', 'meshguard').spec));
    await writeFile(path.join(dir, 'tests.yaml'), stringify(tests));
    const out = await promtool(['test', 'rules', path.join(dir, 'tests.yaml')]);
    assert.match(out, /SUCCESS/);
  });

  it('every dashboard and alert expression runs against Prometheus without error', async () => {
    const client = new PrometheusClient({ url: prometheus.url, bearerTokenFile: '', basicAuth: { username: '', passwordFile: '' }, timeoutSeconds: 30 });
    const exprs = [...dashboard(objects).panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)), ...rules(objects).map((r) => r.expr)];
    assert.equal(exprs.length, 40);
    const answered: Record<string, number> = {};
    for (const expr of exprs) answered[expr] = (await client.query(expr, END)).length;
    // The generated history has mesh traffic and istio-proxy usage: those panels show real series.
    assert.equal(answered['sum by (destination_service, response_code) (rate(istio_requests_total{reporter="destination"}[5m]))'], 2);
    assert.equal(answered['max by (namespace, pod) (rate(container_cpu_usage_seconds_total{container="istio-proxy"}[5m]))'], 7);
    assert.equal(answered[`absent(up{${SELECTOR}} == 1)`], 1, 'nothing scrapes meshguard here: MeshguardDown would fire');
  });

  it('metricsSelector reaches the dashboard and the alerts; the schema refuses bad pack values', async () => {
    const custom = await render({ values: { ...PACK, observability: { ...PACK.observability, metricsSelector: 'app="mg"' } } });
    assert.ok(rules(custom).every((r) => !r.expr.includes('meshguard_') || r.expr.includes('{app="mg"')));
    assert.ok(dashboard(custom).panels.flatMap((p) => p.targets ?? []).every((t) => !t.expr.includes('meshguard_') || t.expr.includes('{app="mg"')));
    for (const bad of [
      { observability: { prometheusRule: { latencyBudgetRatio: 2 } } },
      { observability: { dashboard: { enabled: true, sidecarLabel: 'x' } } },
      { observability: { metricsSelector: 'job=meshguard' } },
    ]) {
      const r = await template({ values: bad });
      assert.notEqual(r.code, 0, JSON.stringify(bad));
      assert.match(r.stderr, /values don't meet the specifications of the schema/);
    }
    const lint = await runHelm(['lint', '--strict', CHART, '--set', 'observability.dashboard.enabled=true,observability.prometheusRule.enabled=true,serviceMonitor.enabled=true']);
    assert.equal(lint.code, 0, lint.stdout + lint.stderr);
  });
});
