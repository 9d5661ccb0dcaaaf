/**
 * From an observation to the proxy requests, in exact integer arithmetic:
 *
 * - CPU request = the `cpuQuantile` (nearest rank) of the per-pod CPU rate samples × (1 +
 *   `headroom.cpu`), in millicores rounded up;
 * - memory request = the peak per-pod working set × (1 + `headroom.memory`), rounded up to whole Mi;
 * - limits, floors, ceilings, profiles and user annotations then follow `mutation.sidecar` exactly
 *   as for static sizing ({@link computeSizing} with `observed`), so a limit is never below its
 *   request.
 *
 * Too little history (`minHistory`) or no sample within `staleAfter` of the evaluation time gives
 * no recommendation but a reason, and the caller sizes statically.
 */
import { ceilDiv, roundUpToMebi } from '../mutation/quantity.js';
import { formatDuration, type SizingConfig } from './config.js';
import type { Observation } from './observe.js';

/** Observed requests: CPU millicores and memory bytes. */
export interface ObservedRequests {
  readonly cpu: bigint;
  readonly memory: bigint;
}

/** The recommender's verdict for one workload. */
export type Recommendation =
  | { readonly status: 'recommended'; readonly observation: Observation; readonly requests: ObservedRequests }
  | { readonly status: 'insufficient-history' | 'stale'; readonly observation: Observation; readonly reason: string };

const PPM = 1_000_000n;

/** Nearest-rank quantile of a non-empty list. */
export function nearestRank(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] ?? 0;
}

function ppm(fraction: number): bigint {
  return BigInt(Math.round(fraction * 1e6));
}

/** CPU cores (a Prometheus float) plus headroom, in millicores rounded up; exact to the microcore. */
export function cpuMillis(cores: number, headroom: number): bigint {
  return ceilDiv(BigInt(Math.round(cores * 1e6)) * (PPM + ppm(headroom)), PPM * 1000n);
}

/** Bytes plus headroom, rounded up to whole Mi. */
export function memoryBytes(bytes: number, headroom: number): bigint {
  return roundUpToMebi(ceilDiv(BigInt(Math.round(bytes)) * (PPM + ppm(headroom)), PPM));
}

/** The recommendation for one observation at evaluation time `end` (unix seconds). */
export function recommend(observation: Observation, config: SizingConfig, end: number): Recommendation {
  const covered = observation.last - observation.first + config.step;
  if (covered < config.minHistory) {
    return {
      status: 'insufficient-history', observation,
      reason: `${formatDuration(covered)} of history (${observation.samples} samples), ${formatDuration(config.minHistory)} needed`,
    };
  }
  if (end - observation.last > config.staleAfter) {
    return { status: 'stale', observation, reason: `no samples since ${new Date(observation.last * 1000).toISOString()}` };
  }
  return {
    status: 'recommended', observation,
    requests: {
      cpu: cpuMillis(nearestRank(observation.cpu, config.cpuQuantile), config.headroom.cpu),
      memory: memoryBytes(observation.memoryPeak, config.headroom.memory),
    },
  };
}

function within(previous: bigint, next: bigint, fraction: number): boolean {
  if (previous === 0n) return next === 0n;
  const diff = next > previous ? next - previous : previous - next;
  return diff * PPM <= previous * ppm(fraction);
}

/**
 * Hysteresis: each of the new requests replaces the previous value only when it differs by more
 * than `fraction` of it; otherwise the previous value stays, so small swings never churn pods.
 */
export function withHysteresis(previous: ObservedRequests | undefined, next: ObservedRequests, fraction: number): ObservedRequests {
  if (!previous) return next;
  return {
    cpu: within(previous.cpu, next.cpu, fraction) ? previous.cpu : next.cpu,
    memory: within(previous.memory, next.memory, fraction) ? previous.memory : next.memory,
  };
}

/**
 * A proxy's millicores per 1,000 requests per second (both at the quantile; the workload's rate
 * split evenly over its pods), when the workload serves traffic: what a traffic forecast scales.
 */
export function cpuPerThousandRps(observation: Observation, config: SizingConfig): number | undefined {
  if (observation.requestRates.length === 0) return undefined;
  const perPod = nearestRank(observation.requestRates, config.cpuQuantile) / observation.pods;
  if (perPod <= 0) return undefined;
  return Math.round((nearestRank(observation.cpu, config.cpuQuantile) * 1000 * 1000) / perPod);
}
