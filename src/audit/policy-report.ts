import type { CheckResult } from '../policy/offline.js';
import type { RuleCatalog } from '../policy/types.js';
import { KubeApiError, type KubeHttp } from '../kube/client.js';
import { resolveResources } from '../kube/resources.js';

/** The PolicyReport API meshguard writes (the wg-policy prototype CRDs, as Kyverno installs them). */
export const POLICY_REPORT_API = 'wgpolicyk8s.io/v1alpha2';
/** One report per namespace (and one cluster report), always with this name. */
export const REPORT_NAME = 'meshguard';
/** Field manager of the server-side apply. */
export const FIELD_MANAGER = 'meshguard-audit';
/** Results kept per report; the summary still counts every finding. */
export const MAX_RESULTS = 1000;
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'meshguard' };
const SEVERITIES = new Set(['critical', 'high', 'medium', 'low', 'info']);

/** One `results[]` entry of a PolicyReport. */
export interface ReportResult {
  source: string;
  policy: string;
  rule: string;
  result: 'pass' | 'fail' | 'warn' | 'error' | 'skip';
  severity?: string;
  message: string;
  scored: boolean;
  timestamp: { seconds: number; nanos: number };
  resources: Array<{ apiVersion: string; kind: string; namespace?: string; name: string }>;
  properties: Record<string, string>;
}

/** A PolicyReport or ClusterPolicyReport, ready to apply. */
export interface PolicyReport {
  apiVersion: string;
  kind: 'PolicyReport' | 'ClusterPolicyReport';
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
  summary: { pass: number; fail: number; warn: number; error: number; skip: number };
  results: ReportResult[];
}

/**
 * Builds one PolicyReport per namespace that had audited objects (plus the names in
 * `alsoNamespaces`, which get an empty report so stale findings disappear) and one
 * ClusterPolicyReport for cluster-scoped objects. Each finding is one result: a non-exempt `deny`
 * is `fail`, `warn` and `dryrun` are `warn`, an exempt finding is `skip` (with the reason), an
 * object that could not be evaluated is `error`. Objects with no finding count as `pass` in the
 * summary without a result entry. At most `maxResults` results are kept (fail first); the summary
 * counts all of them and the `meshguard.io/omitted-results` annotation says how many were left out.
 * `extra` adds results by namespace as they are (e.g. sidecar sizing recommendations).
 */
export function buildPolicyReports(
  results: CheckResult[], catalog: RuleCatalog,
  opts: { now?: Date; maxResults?: number; alsoNamespaces?: string[]; extra?: ReadonlyMap<string, ReportResult[]> } = {},
): PolicyReport[] {
  const now = opts.now ?? new Date();
  const timestamp = { seconds: Math.floor(now.getTime() / 1000), nanos: 0 };
  const groups = new Map<string, CheckResult[]>();
  for (const ns of [...(opts.alsoNamespaces ?? []), ...(opts.extra?.keys() ?? [])]) groups.set(ns, []);
  for (const r of results) {
    const list = groups.get(r.namespace) ?? [];
    list.push(r);
    groups.set(r.namespace, list);
  }
  const reports: PolicyReport[] = [];
  for (const [namespace, items] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    const entries: ReportResult[] = [];
    for (const r of items) {
      const resource = { apiVersion: r.apiVersion, kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name };
      if (r.error) {
        entries.push({ source: 'meshguard', policy: 'meshguard', rule: 'evaluation', result: 'error', message: r.error, scored: true, timestamp, resources: [resource], properties: {} });
        continue;
      }
      if (r.violations.length === 0) summary.pass++;
      for (const v of r.violations) {
        const result: ReportResult['result'] = v.exempt ? 'skip' : v.enforcement === 'deny' ? 'fail' : 'warn';
        const severity = catalog[v.id]?.severity;
        const properties: Record<string, string> = { enforcement: v.enforcement };
        if (v.istioCode) properties.istioCode = v.istioCode;
        if (v.exemptReason) properties.exemptReason = v.exemptReason;
        if (v.exemptSource) properties.exemptSource = v.exemptSource;
        if (v.exemptOwner) properties.exemptOwner = v.exemptOwner;
        if (v.exemptExpires) properties.exemptExpires = v.exemptExpires;
        for (const key of ['field', 'fix', 'docs', 'exemptionNote'] as const) if (v[key]) properties[key] = v[key];
        entries.push({
          source: 'meshguard', policy: v.id, rule: v.id, result, ...(severity && SEVERITIES.has(severity) ? { severity } : {}),
          message: v.message, scored: true, timestamp, resources: [resource], properties,
        });
      }
    }
    entries.push(...(opts.extra?.get(namespace) ?? []));
    for (const e of entries) summary[e.result]++;
    const rank = { fail: 0, error: 1, warn: 2, skip: 3, pass: 4 } as const;
    entries.sort((a, b) => rank[a.result] - rank[b.result]);
    const max = opts.maxResults ?? MAX_RESULTS;
    const omitted = Math.max(0, entries.length - max);
    reports.push({
      apiVersion: POLICY_REPORT_API,
      kind: namespace ? 'PolicyReport' : 'ClusterPolicyReport',
      metadata: {
        name: REPORT_NAME, ...(namespace ? { namespace } : {}), labels: { ...MANAGED_BY },
        annotations: { 'meshguard.io/omitted-results': String(omitted) },
      },
      summary,
      results: entries.slice(0, max),
    });
  }
  return reports;
}

/** What writing the reports did. */
export interface ReportWriteResult {
  /** False when the PolicyReport CRDs are not installed (nothing written). */
  installed: boolean;
  written: string[];
}

/**
 * Applies the reports with server-side apply (field manager `meshguard-audit`, force): created when
 * missing, replaced when present; never one object per admission request. Returns
 * `installed: false` without writing when the API server does not serve the PolicyReport kinds.
 */
export async function writePolicyReports(http: KubeHttp, reports: PolicyReport[]): Promise<ReportWriteResult> {
  const { served } = await resolveResources(http, [
    { kind: 'PolicyReport', group: 'wgpolicyk8s.io', versions: ['v1alpha2'], plural: 'policyreports', namespaced: true },
    { kind: 'ClusterPolicyReport', group: 'wgpolicyk8s.io', versions: ['v1alpha2'], plural: 'clusterpolicyreports', namespaced: false },
  ]);
  const kinds = new Set(served.map((s) => s.kind));
  if (!kinds.has('PolicyReport')) return { installed: false, written: [] };
  const written: string[] = [];
  for (const report of reports) {
    if (!kinds.has(report.kind)) continue;
    const base = `/apis/${POLICY_REPORT_API}`;
    const path = report.metadata.namespace
      ? `${base}/namespaces/${encodeURIComponent(report.metadata.namespace)}/policyreports/${REPORT_NAME}`
      : `${base}/clusterpolicyreports/${REPORT_NAME}`;
    await http.request(path, { method: 'PATCH', body: report, contentType: 'application/apply-patch+yaml', query: { fieldManager: FIELD_MANAGER, force: true } });
    written.push(report.metadata.namespace ? `${report.metadata.namespace}/${REPORT_NAME}` : REPORT_NAME);
  }
  return { installed: true, written };
}

/** Namespaces that already hold a meshguard PolicyReport (to clear the ones with no findings now). */
export async function existingReportNamespaces(http: KubeHttp): Promise<string[]> {
  try {
    const list = await http.get<{ items?: Array<{ metadata?: { namespace?: string; name?: string } }> }>(`/apis/${POLICY_REPORT_API}/policyreports`, {
      query: { labelSelector: 'app.kubernetes.io/managed-by=meshguard' },
    });
    return (list.items ?? []).filter((i) => i.metadata?.name === REPORT_NAME).map((i) => i.metadata?.namespace ?? '').filter(Boolean);
  } catch (err) {
    if (err instanceof KubeApiError && (err.status === 404 || err.status === 403)) return [];
    throw err;
  }
}
