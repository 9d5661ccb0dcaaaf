/**
 * Reads what `istio-proxy` containers used from Prometheus and groups it by workload:
 *
 * - CPU: `rate(container_cpu_usage_seconds_total{container="istio-proxy"}[step])` per pod, every
 *   `step` over the window (sidecar or native-sidecar init container alike: cAdvisor names the
 *   container either way);
 * - memory: `max_over_time(container_memory_working_set_bytes{container="istio-proxy"}[step])`;
 * - owners: kube-state-metrics `kube_pod_owner` and `kube_replicaset_owner` over the window, else
 *   the pod-name pattern ({@link podWorkload});
 * - traffic: `istio_requests_total{reporter="destination"}` per destination workload, to explain
 *   the CPU (millicores per 1,000 requests per second).
 *
 * Queries run at a given evaluation time, so the same history always gives the same observation.
 */
import { formatDuration, type SizingConfig } from './config.js';
import type { PrometheusApi, Series } from './prometheus.js';
import { podWorkload, workloadKey, type OwnerMaps, type WorkloadRef } from './workloads.js';

/** What one workload's proxies did over the window. */
export interface Observation {
  readonly workload: WorkloadRef;
  /** Pods seen. */
  readonly pods: number;
  /** CPU samples (pods × steps with data): the evidence behind the quantile. */
  readonly samples: number;
  /** Unix seconds of the first and last CPU sample. */
  readonly first: number;
  readonly last: number;
  /** Per-pod CPU rate samples (cores) and the peak per-pod working set (bytes). */
  readonly cpu: readonly number[];
  readonly memoryPeak: number;
  /** Requests per second served by the workload at each step, when Istio metrics exist. */
  readonly requestRates: readonly number[];
}

/** The PromQL the recommender runs, given the step and window (exported for docs and tests). */
export function sizingQueries(step: number, window: number): Record<'cpu' | 'memory' | 'podOwners' | 'replicaSetOwners' | 'requests', string> {
  const s = formatDuration(step);
  const w = formatDuration(window);
  return {
    cpu: `max by (namespace, pod) (rate(container_cpu_usage_seconds_total{container="istio-proxy"}[${s}]))`,
    memory: `max by (namespace, pod) (max_over_time(container_memory_working_set_bytes{container="istio-proxy"}[${s}]))`,
    podOwners: `max by (namespace, pod, owner_kind, owner_name) (max_over_time(kube_pod_owner[${w}]))`,
    replicaSetOwners: `max by (namespace, replicaset, owner_kind, owner_name) (max_over_time(kube_replicaset_owner[${w}]))`,
    requests: `sum by (destination_workload_namespace, destination_workload) (rate(istio_requests_total{reporter="destination"}[${s}]))`,
  };
}

function ownerMap(series: Series[], objectLabel: string): Map<string, { kind: string; name: string }> {
  const map = new Map<string, { kind: string; name: string }>();
  for (const { labels } of series) {
    const ns = labels.namespace;
    const obj = labels[objectLabel];
    if (ns && obj) map.set(`${ns}/${obj}`, { kind: labels.owner_kind ?? '', name: labels.owner_name ?? '' });
  }
  return map;
}

interface Building {
  workload: WorkloadRef;
  pods: Set<string>;
  cpu: number[];
  first: number;
  last: number;
  memoryPeak: number;
}

function group(cpu: Series[], memory: Series[], owners: OwnerMaps): Map<string, Building> {
  const out = new Map<string, Building>();
  const entry = (labels: Readonly<Record<string, string>>): Building | undefined => {
    const { namespace, pod } = labels;
    if (!namespace || !pod) return undefined;
    const workload = podWorkload(namespace, pod, owners);
    const key = workloadKey(workload);
    let b = out.get(key);
    if (!b) out.set(key, (b = { workload, pods: new Set(), cpu: [], first: Infinity, last: -Infinity, memoryPeak: 0 }));
    b.pods.add(pod);
    return b;
  };
  for (const s of cpu) {
    const b = entry(s.labels);
    if (!b) continue;
    for (const [t, v] of s.samples) {
      b.cpu.push(v);
      b.first = Math.min(b.first, t);
      b.last = Math.max(b.last, t);
    }
  }
  for (const s of memory) {
    const b = entry(s.labels);
    if (b) for (const [, v] of s.samples) b.memoryPeak = Math.max(b.memoryPeak, v);
  }
  return out;
}

/**
 * Observes every workload with an `istio-proxy` over the `config.window` ending at `end` (unix
 * seconds). Throws MeshguardError SIZING_PROMETHEUS when Prometheus cannot answer.
 */
export async function observe(api: PrometheusApi, config: SizingConfig, end: number): Promise<Map<string, Observation>> {
  const q = sizingQueries(config.step, config.window);
  const start = end - config.window + config.step;
  const [cpu, memory, pods, replicaSets, requests] = await Promise.all([
    api.queryRange(q.cpu, start, end, config.step),
    api.queryRange(q.memory, start, end, config.step),
    api.query(q.podOwners, end),
    api.query(q.replicaSetOwners, end),
    api.queryRange(q.requests, start, end, config.step),
  ]);
  const groups = group(cpu, memory, { pods: ownerMap(pods, 'pod'), replicaSets: ownerMap(replicaSets, 'replicaset') });
  const rates = new Map<string, number[]>();
  for (const s of requests) {
    const key = `${s.labels.destination_workload_namespace}/${s.labels.destination_workload}`;
    rates.set(key, [...(rates.get(key) ?? []), ...s.samples.map(([, v]) => v)]);
  }
  const result = new Map<string, Observation>();
  for (const [key, b] of groups) {
    if (b.cpu.length === 0) continue;
    result.set(key, {
      workload: b.workload, pods: b.pods.size, samples: b.cpu.length, first: b.first, last: b.last,
      cpu: b.cpu, memoryPeak: b.memoryPeak, requestRates: rates.get(`${b.workload.namespace}/${b.workload.name}`) ?? [],
    });
  }
  return result;
}
