/**
 * Generated sidecar history for the observed-sizing tests: OpenMetrics text with explicit
 * timestamps, one sample a minute over a 12-hour window ending at {@link END}, for six workloads
 * in namespace `shop`:
 *
 * | workload | profile | owners from |
 * | --- | --- | --- |
 * | Deployment cart (2 pods) | steady: 50m CPU, 60Mi, 100 req/s | kube_pod_owner + kube_replicaset_owner |
 * | Deployment search | bursty: 100m, 100Mi; every 10th 5-minute slot 800m, 180Mi | kube_pod_owner only (ReplicaSet name pattern) |
 * | StatefulSet ledger (2 pods) | growing: slot i uses (10 + i)m CPU, 50Mi + ⌊i·100/143⌋Mi | pod-name pattern |
 * | Deployment payments | steady 200m, 200Mi; istio-proxy is a native sidecar (init container) | kube-state-metrics |
 * | Deployment fresh | too short: the last 3 hours only | pod-name pattern |
 * | DaemonSet node-agent | stale: nothing in the last 3 hours | kube_pod_owner |
 *
 * CPU is a counter of CPU-seconds whose per-minute increase is constant within each 5-minute
 * slot, so `rate(...[5m])` at the end of a slot is exactly that slot's usage.
 */

/** Evaluation time: the end of the generated window (2026-01-01T00:00:00Z). */
export const END = 1_767_225_600;
/** The generated window, the sample interval and the recommender's step, in seconds. */
export const WINDOW = 12 * 3600;
export const SCRAPE = 60;
export const STEP = 300;
export const START = END - WINDOW;
export const NAMESPACE = 'shop';
const MI = 1024 * 1024;

interface PodHistory {
  pod: string;
  from: number;
  to: number;
  /** CPU cores and working-set bytes during 5-minute slot `i` (counted from START). */
  cpu: (i: number) => number;
  memory: (i: number) => number;
}

const burst = (i: number): boolean => i % 10 === 9;
const pods: PodHistory[] = [
  ...['cart-7d9f8c6b5-x2x7z', 'cart-7d9f8c6b5-b4k9m'].map((pod) => ({ pod, from: START, to: END, cpu: () => 0.05, memory: () => 60 * MI })),
  { pod: 'search-5c8d7f6b9-q7w2n', from: START, to: END, cpu: (i) => (burst(i) ? 0.8 : 0.1), memory: (i) => (burst(i) ? 180 : 100) * MI },
  ...['ledger-0', 'ledger-1'].map((pod) => ({ pod, from: START, to: END, cpu: (i: number) => (10 + i) / 1000, memory: (i: number) => (50 + Math.floor((i * 100) / 143)) * MI })),
  { pod: 'payments-6f7c9d8b4-k2m4p', from: START, to: END, cpu: () => 0.2, memory: () => 200 * MI },
  { pod: 'fresh-7b6d5c4f9-h8j2k', from: END - 3 * 3600, to: END, cpu: () => 0.03, memory: () => 40 * MI },
  { pod: 'node-agent-z9x8w', from: START, to: END - 3 * 3600, cpu: () => 0.02, memory: () => 30 * MI },
];

/** kube_pod_owner rows: pod → owner kind and name. */
const POD_OWNERS: Array<[string, string, string]> = [
  ['cart-7d9f8c6b5-x2x7z', 'ReplicaSet', 'cart-7d9f8c6b5'],
  ['cart-7d9f8c6b5-b4k9m', 'ReplicaSet', 'cart-7d9f8c6b5'],
  ['search-5c8d7f6b9-q7w2n', 'ReplicaSet', 'search-5c8d7f6b9'],
  ['payments-6f7c9d8b4-k2m4p', 'ReplicaSet', 'payments-6f7c9d8b4'],
  ['node-agent-z9x8w', 'DaemonSet', 'node-agent'],
];
const REPLICASET_OWNERS: Array<[string, string, string]> = [
  ['cart-7d9f8c6b5', 'Deployment', 'cart'],
  ['payments-6f7c9d8b4', 'Deployment', 'payments'],
];
/** Requests per second by destination workload, per slot. */
const TRAFFIC: Array<[string, (i: number) => number]> = [
  ['cart', () => 100],
  ['search', (i) => (burst(i) ? 400 : 50)],
];

function times(from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t <= to; t += SCRAPE) out.push(t);
  return out;
}

const slot = (t: number): number => Math.max(0, Math.floor((t - 1 - START) / STEP));

function labels(l: Record<string, string>): string {
  return `{${Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

/** A counter whose increase over the minute ending at t is `perSecond(slot(t))` × 60. */
function counter(name: string, l: Record<string, string>, from: number, to: number, perSecond: (i: number) => number): string[] {
  let value = 0;
  return times(from, to).map((t) => {
    if (t > from) value += perSecond(slot(t)) * SCRAPE;
    return `${name}${labels(l)} ${value} ${t}`;
  });
}

function gauge(name: string, l: Record<string, string>, from: number, to: number, value: (t: number) => number): string[] {
  return times(from, to).map((t) => `${name}${labels(l)} ${value(t)} ${t}`);
}

/** The whole history as OpenMetrics text (each family contiguous), ending in `# EOF`. */
export function trafficHistory(): string {
  const base = { namespace: NAMESPACE, container: 'istio-proxy' };
  const lines = [
    '# TYPE container_cpu_usage_seconds counter',
    ...pods.flatMap((p) => counter('container_cpu_usage_seconds_total', { ...base, pod: p.pod }, p.from, p.to, p.cpu)),
    '# TYPE container_memory_working_set_bytes gauge',
    ...pods.flatMap((p) => gauge('container_memory_working_set_bytes', { ...base, pod: p.pod }, p.from, p.to, (t) => p.memory(slot(t)))),
    '# TYPE kube_pod_owner gauge',
    ...POD_OWNERS.map(([pod, kind, name]) => {
      const p = pods.find((x) => x.pod === pod)!;
      return gauge('kube_pod_owner', { namespace: NAMESPACE, pod, owner_kind: kind, owner_name: name, owner_is_controller: 'true' }, p.from, p.to, () => 1);
    }).flat(),
    '# TYPE kube_replicaset_owner gauge',
    ...REPLICASET_OWNERS.flatMap(([rs, kind, name]) => gauge('kube_replicaset_owner', { namespace: NAMESPACE, replicaset: rs, owner_kind: kind, owner_name: name, owner_is_controller: 'true' }, START, END, () => 1)),
    '# TYPE istio_requests counter',
    ...TRAFFIC.flatMap(([workload, rps]) => counter('istio_requests_total', {
      reporter: 'destination', destination_workload: workload, destination_workload_namespace: NAMESPACE, destination_service: `${workload}.${NAMESPACE}.svc.cluster.local`, response_code: '200', source_workload: 'frontend',
    }, START, END, rps)),
    '# EOF',
  ];
  return `${lines.join('\n')}\n`;
}
