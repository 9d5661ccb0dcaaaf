/** The rows `meshguard recommend` prints, and their table form. */
import { PROXY_RESOURCE_ANNOTATIONS } from '../mutation/annotations.js';
import type { ReportResult } from '../audit/policy-report.js';
import { SIDECAR_KEYS, type SidecarKey } from '../mutation/config.js';

/** One workload: current annotations, observed usage, recommendation and change per value. */
export interface RecommendRow {
  /** `namespace/Kind/name`. */
  workload: string;
  current: Partial<Record<SidecarKey, string>>;
  /** Usage at the configured quantile (CPU) and peak (memory); null without samples. */
  observed: {
    pods: number;
    samples: number;
    cpu: string;
    memoryPeak: string;
    requestsPerSecond: number | null;
    cpuPerThousandRps: number | null;
  } | null;
  recommended: Partial<Record<SidecarKey, string>>;
  /** `none`, `new`, or the relative change (`+25%`). */
  change: Record<SidecarKey, string>;
  /** `prometheus` when sized from the observation, `static` otherwise (then `fallback` says why). */
  source: string;
  fallback?: string;
}

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** The table: one line per workload, then the fallback reasons below it. */
export function recommendTable(rows: readonly RecommendRow[]): string {
  const header = ['WORKLOAD', 'SAMPLES', 'CPU(q)', 'MEM(peak)', 'RPS(q)', 'm/1kRPS', ...SIDECAR_KEYS.map((k) => PROXY_RESOURCE_ANNOTATIONS[k].replace('sidecar.istio.io/', '')), 'SOURCE'];
  const body = rows.map((r) => [
    r.workload,
    r.observed ? String(r.observed.samples) : '-',
    r.observed?.cpu ?? '-',
    r.observed?.memoryPeak ?? '-',
    r.observed?.requestsPerSecond?.toString() ?? '-',
    r.observed?.cpuPerThousandRps?.toString() ?? '-',
    ...SIDECAR_KEYS.map((k) => `${r.current[k] ?? '-'} -> ${r.recommended[k] ?? '-'} (${r.change[k]})`),
    r.source,
  ]);
  const notes = rows.filter((r) => r.fallback).map((r) => `${r.workload}: static sizing: ${r.fallback}`);
  return [pad([header, ...body]), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

const API_VERSIONS: Record<string, string> = { Pod: 'v1', Job: 'batch/v1', CronJob: 'batch/v1' };

/**
 * Recommendations as PolicyReport results (`audit --policy-report --sizing`), by namespace:
 * policy and rule `sidecar-sizing`; `warn` when a value would change, `pass` when none would,
 * `skip` when the workload is sized statically (the message says why).
 */
export function sizingReportResults(rows: readonly RecommendRow[], now: Date): Map<string, ReportResult[]> {
  const out = new Map<string, ReportResult[]>();
  const timestamp = { seconds: Math.floor(now.getTime() / 1000), nanos: 0 };
  for (const r of rows) {
    const [namespace = '', kind = '', name = ''] = r.workload.split('/');
    const changed = SIDECAR_KEYS.filter((k) => r.change[k] !== 'none');
    const values = (v: Partial<Record<SidecarKey, string>>): string => SIDECAR_KEYS.map((k) => `${k}=${v[k] ?? '-'}`).join(' ');
    const result: ReportResult['result'] = r.fallback ? 'skip' : changed.length ? 'warn' : 'pass';
    const message = r.fallback
      ? `sized statically: ${r.fallback}`
      : changed.length ? `istio-proxy recommendation ${values(r.recommended)} (current ${values(r.current)})` : 'istio-proxy resources match the recommendation';
    const properties: Record<string, string> = { source: r.source, recommended: values(r.recommended), current: values(r.current) };
    if (r.observed) Object.assign(properties, { samples: String(r.observed.samples), cpuObserved: r.observed.cpu, memoryPeak: r.observed.memoryPeak });
    const list = out.get(namespace) ?? [];
    list.push({
      source: 'meshguard', policy: 'sidecar-sizing', rule: 'sidecar-sizing', result, severity: 'info', message, scored: false, timestamp,
      resources: [{ apiVersion: API_VERSIONS[kind] ?? 'apps/v1', kind, namespace, name }], properties,
    });
    out.set(namespace, list);
  }
  return out;
}
