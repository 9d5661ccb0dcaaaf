/** The rows `meshguard recommend` prints, and their table form. */
import { PROXY_RESOURCE_ANNOTATIONS } from '../mutation/annotations.js';
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
