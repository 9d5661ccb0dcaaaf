import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { runAudit } from '../../src/cli/audit.js';
import { offlineEngine } from '../../src/cli/engine.js';
import { judgedKinds } from '../../src/audit/audit.js';
import type { KubeObject } from '../../src/inventory/objects.js';
import { buildPolicyReports, type PolicyReport } from '../../src/audit/policy-report.js';
import { INVENTORY_KINDS, RESOURCES } from '../../src/kube/resources.js';
import type { CheckResult } from '../../src/policy/offline.js';
import { builtinBundle, cliPath } from '../support/paths.js';
import { apply, installCrdObjects, writeKubeconfig } from './apiserver.js';
import { expectedViolations } from './expectations.js';
import { NS, startHarness, type Harness } from './harness.js';
import { istio } from './kube-api.js';
import { metricValue } from './meshguard-process.js';
import { POLICY_REPORT_CRDS } from './policy-report-crds.js';
import { freePort, waitFor } from './processes.js';

const run = promisify(execFile);

/** Runs runAudit in-process and captures what it prints. */
async function audit(opts: Parameters<typeof runAudit>[0]): Promise<{ code: number; out: string; err: string[] }> {
  let out = '';
  const err: string[] = [];
  const code = await runAudit(opts, { out: (t) => (out += t), err: (t) => err.push(t) });
  return { code, out, err };
}

/** An expiry well inside the default 90-day horizon. */
const SOON = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
const exemption = (rules: string[]): string => JSON.stringify({ rules, owner: 'platform@example.com', expires: SOON });
const objects = {
  open: istio('PeerAuthentication', NS.mesh, 'open', { mtls: { mode: 'PERMISSIVE' } }),
  // pa-strict-mtls is locked: an annotation found on an existing object does not exempt it.
  legacy: istio('PeerAuthentication', NS.mesh, 'legacy', { mtls: { mode: 'PERMISSIVE' } }, { annotations: { 'meshguard.io/exempt': exemption(['pa-strict-mtls']) } }),
  // Existed before meshguard: its annotation is honoured as found.
  legacyTrace: istio('Telemetry', NS.mesh, 'trace-legacy', { tracing: [{ randomSamplingPercentage: 100 }] }, { annotations: { 'meshguard.io/exempt': exemption(['tm-sampling-cap']) } }),
  tracing: istio('Telemetry', NS.plain, 'trace-all', { tracing: [{ randomSamplingPercentage: 100 }] }),
};
/** An Exemption object in meshguard's namespace for the Telemetry of the plain namespace. */
const exemptionObject: KubeObject = {
  apiVersion: 'policy.meshguard.io/v1alpha1', kind: 'Exemption', metadata: { name: 'plain-tracing', namespace: NS.system },
  spec: { rules: ['tm-sampling-cap'], owner: 'platform@example.com', reason: 'load test', expires: SOON, match: { namespaces: [NS.plain], kinds: ['Telemetry'] } },
};

/** A result as the JSON output prints it, for an object written by the test. */
function resultFor(object: KubeObject, violations: CheckResult['violations']): CheckResult {
  const allowed = !violations.some((v) => v.enforcement === 'deny' && !v.exempt);
  return { file: 'cluster', line: 0, apiVersion: object.apiVersion ?? '', kind: object.kind ?? '', namespace: object.metadata?.namespace ?? '', name: object.metadata?.name ?? '', allowed, violations };
}

describe('meshguard audit against a real kube-apiserver', { timeout: 300_000 }, () => {
  let h: Harness;
  let knownKinds: string[];
  before(async () => {
    h = await startHarness({ meshguard: false });
    // No webhooks are registered here: these objects exist in the cluster as if created before meshguard.
    await apply(h.kc, [...Object.values(objects), exemptionObject] as never[]);
    knownKinds = [...new Set([...judgedKinds((await offlineEngine(builtinBundle)).catalog), ...INVENTORY_KINDS])].filter((k) => RESOURCES[k]);
  });
  after(async () => {
    await h?.stop();
  });

  it('judges existing objects like check does, marks exemptions, and exits 1 when something would be denied', async () => {
    const { code, out, err } = await audit({ output: 'json', kubeconfig: h.cluster.kubeconfig });
    assert.deepEqual(err, []);
    assert.equal(code, 1);
    const results = (JSON.parse(out) as { results: CheckResult[] }).results;
    const find = (kind: string, ns: string, name: string) => results.find((r) => r.kind === kind && r.namespace === ns && r.name === name);
    for (const o of Object.values(objects)) {
      assert.deepEqual(find(o.kind ?? '', o.metadata?.namespace ?? '', o.metadata?.name ?? ''), resultFor(o, await expectedViolations(o, [exemptionObject], knownKinds)));
    }
    const legacy = find('PeerAuthentication', NS.mesh, 'legacy')?.violations;
    assert.deepEqual(legacy?.map((v) => [v.id, v.exempt]), [['pa-strict-mtls', false]]);
    assert.equal(legacy?.[0]?.exemptionNote, 'meshguard.io/exempt ignored: rule pa-strict-mtls is locked');
    assert.deepEqual(find('PeerAuthentication', NS.mesh, 'open')?.violations.map((v) => [v.id, v.enforcement, v.exempt]), [['pa-strict-mtls', 'deny', false]]);
    const exempt = (name: string, ns: string) => find('Telemetry', ns, name)?.violations.filter((v) => v.id === 'tm-sampling-cap').map((v) => [v.exempt, v.exemptSource, v.exemptOwner, v.exemptExpires, v.exemptReason]);
    assert.deepEqual(exempt('trace-legacy', NS.mesh), [[true, 'annotation', 'platform@example.com', SOON, `exempt until ${SOON} (owner platform@example.com)`]]);
    assert.deepEqual(exempt('trace-all', NS.plain), [[true, 'resource', 'platform@example.com', SOON, `exempt by Exemption ${NS.system}/plain-tracing until ${SOON} (owner platform@example.com)`]]);
    const ns = find('Namespace', '', NS.plain);
    assert.deepEqual(ns, resultFor({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS.plain } }, await expectedViolations({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS.plain, labels: { 'kubernetes.io/metadata.name': NS.plain } } }, [], knownKinds)));
  });

  it('prints text with the source "cluster" and only one namespace with --namespace', async () => {
    const { code, out } = await audit({ output: 'text', kubeconfig: h.cluster.kubeconfig, namespace: NS.mesh });
    assert.equal(code, 1);
    const lines = out.split('\n');
    assert.ok(lines.includes(`DENIED PeerAuthentication ${NS.mesh}/open (cluster)`), out);
    assert.ok(lines.includes(`DENIED PeerAuthentication ${NS.mesh}/legacy (cluster)`), out);
    assert.ok(lines.includes(`ok     Telemetry ${NS.mesh}/trace-legacy (cluster)`), out);
    assert.ok(lines.some((l) => l.startsWith('  exempt [tm-sampling-cap] ') && l.endsWith(` Exempted: annotation: exempt until ${SOON} (owner platform@example.com). See docs/rules.md#tm-sampling-cap`)), out);
    assert.ok(!out.includes(NS.plain), 'objects of other namespaces are not audited');
    assert.match(lines.at(-1) ?? '', /^\d+ objects checked: 2 denied, 0 warnings$/);
  });

  it('says when the PolicyReport CRD is missing, then writes one bounded report per namespace once it exists', async () => {
    const missing = await audit({ output: 'json', kubeconfig: h.cluster.kubeconfig, policyReport: true });
    assert.equal(missing.code, 1, missing.err.join('\n'));
    assert.deepEqual(missing.err, ['meshguard audit: the PolicyReport CRD (policyreports.wgpolicyk8s.io, v1alpha2) is not installed; --policy-report skipped']);

    await installCrdObjects(h.kc, POLICY_REPORT_CRDS);
    const first = await audit({ output: 'json', kubeconfig: h.cluster.kubeconfig, policyReport: true });
    assert.equal(first.code, 1, first.err.join('\n'));
    const results = (JSON.parse(first.out) as { results: CheckResult[] }).results;
    const api = h.kc.makeApiClient(CustomObjectsApi);
    const read = async (): Promise<PolicyReport> => (await api.getNamespacedCustomObject({ group: 'wgpolicyk8s.io', version: 'v1alpha2', plural: 'policyreports', namespace: NS.mesh, name: 'meshguard' })) as PolicyReport;
    const stored = await read();
    const built = buildPolicyReports(results, (await offlineEngine(builtinBundle)).catalog).find((r) => r.metadata.namespace === NS.mesh);
    const strip = (r: PolicyReport) => ({ summary: r.summary, results: r.results.map((x) => ({ ...x, timestamp: undefined })), labels: r.metadata.labels, annotations: r.metadata.annotations });
    assert.deepEqual(strip(stored), strip(built as PolicyReport));
    assert.deepEqual(stored.summary, { pass: 0, fail: 2, warn: 0, error: 0, skip: 1 });
    assert.deepEqual(stored.results.map((r) => [r.result, r.policy, r.resources[0]?.name]), [['fail', 'pa-strict-mtls', 'legacy'], ['fail', 'pa-strict-mtls', 'open'], ['skip', 'tm-sampling-cap', 'trace-legacy']]);
    assert.deepEqual(stored.results[2]?.properties, {
      enforcement: 'deny', exemptReason: `exempt until ${SOON} (owner platform@example.com)`, exemptSource: 'annotation', exemptOwner: 'platform@example.com', exemptExpires: SOON,
      field: 'spec.tracing[0].randomSamplingPercentage', docs: 'docs/rules.md#tm-sampling-cap',
      fix: `Lower tracing[0].randomSamplingPercentage to 10 or less (param maxSamplingPercentage), or have namespace ${NS.mesh} added to the param allowedNamespaces.`,
    });
    assert.match(first.err.join('\n'), /^meshguard audit: wrote \d+ policy reports \(meshguard, .*e2e-mesh\/meshguard.*\)$/);
    const cluster = (await api.getClusterCustomObject({ group: 'wgpolicyk8s.io', version: 'v1alpha2', plural: 'clusterpolicyreports', name: 'meshguard' })) as PolicyReport;
    assert.ok(cluster.results.some((r) => r.policy === 'ns-mesh-enrolled' && r.resources[0]?.kind === 'Namespace' && r.resources[0]?.name === NS.plain));

    await audit({ output: 'json', kubeconfig: h.cluster.kubeconfig, policyReport: true });
    const list = (await api.listNamespacedCustomObject({ group: 'wgpolicyk8s.io', version: 'v1alpha2', plural: 'policyreports', namespace: NS.mesh })) as { items: PolicyReport[] };
    assert.deepEqual(list.items.map((r) => r.metadata.name), ['meshguard'], 'updated in place, never one object per run');
  });

  it('fails with one line and exit 2 when the API server cannot be reached', async () => {
    const port = await freePort();
    const file = path.join(h.tmp, 'down.kubeconfig');
    await writeKubeconfig(file, `https://127.0.0.1:${port}`, h.pki.ca.cert, h.pki.admin);
    const inProcess = await audit({ output: 'text', kubeconfig: file });
    assert.equal(inProcess.code, 2);
    assert.equal(inProcess.out, '');
    assert.equal(inProcess.err.length, 1);
    assert.match(inProcess.err[0] ?? '', new RegExp(`^meshguard audit: MG_ERR_KUBE_UNREACHABLE: cannot reach the Kubernetes API at https://127\\.0\\.0\\.1:${port} \\(/apis?/[^)]+\\): ECONNREFUSED connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`));

    const cli = await run(process.execPath, [cliPath, 'audit', '--kubeconfig', file], { timeout: 30_000 }).then(() => ({ code: 0, stderr: '', stdout: '' }), (e: { code: number; stderr: string; stdout: string }) => e);
    assert.equal(cli.code, 2);
    assert.equal(cli.stdout, '');
    assert.deepEqual(cli.stderr.trim().split('\n'), [inProcess.err[0]]);
  });

  it('runs the same audit in the background of serve and exports the violations as metrics', async () => {
    const mg = await h.startMeshguard(['--audit-interval', '1', '--self-check', 'off']);
    const text = await waitFor('audit metrics', async () => {
      const m = await mg.metrics();
      return metricValue(m, 'meshguard_audit_violations', 'rule="pa-strict-mtls",enforcement="deny",exempt="false"') === 2 ? m : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    assert.equal(metricValue(text, 'meshguard_audit_violations', 'rule="pa-strict-mtls",enforcement="deny",exempt="true"'), undefined, 'a locked rule is never exempt');
    // One by annotation, one by the Exemption object the informer watches in meshguard's namespace.
    assert.equal(metricValue(text, 'meshguard_audit_violations', 'rule="tm-sampling-cap",enforcement="deny",exempt="true"'), 2);
  });
});
