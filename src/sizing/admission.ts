/**
 * The mutating webhook's side of observed sizing: for the object being admitted, the requests to
 * size from (when `sizing.mode: apply` and the cache holds a current recommendation) and the
 * fields the `meshguard.io/sidecar-sizing` record gets: `source`, and `window` and `samples` for
 * a recommendation, `fallback` (why static sizing was used) otherwise, `recommended` in
 * `mode: recommend`. Reads only the in-memory cache.
 */
import type { KubeObject } from '../inventory/objects.js';
import { formatCpu, formatMemory } from '../mutation/quantity.js';
import { formatDuration } from './config.js';
import type { ObservedRequests } from './recommend.js';
import type { ObservedSizing } from './refresher.js';
import { objectWorkload } from './workloads.js';

/** What the sidecar mutator uses from observed sizing for one object. */
export interface ObservedChoice {
  /** Requests to size from; undefined: size statically. */
  readonly requests?: ObservedRequests;
  /** Extra fields of the sizing record. */
  readonly record: Record<string, unknown>;
}

/** The observed-sizing choice for an admitted object of `kind` in `namespace` (see the module comment). */
export function observedChoice(obj: KubeObject, kind: string, namespace: string, observed: ObservedSizing): ObservedChoice {
  const ref = objectWorkload(obj, kind, namespace);
  if (!ref) return { record: { source: 'static', fallback: 'the object names no workload' } };
  const verdict = observed.lookup(ref);
  if ('fallback' in verdict) return { record: { source: 'static', fallback: verdict.fallback } };
  const { requests, observation } = verdict;
  if (observed.config.mode === 'recommend') {
    return { record: { source: 'static', recommended: { cpu: formatCpu(requests.cpu), memory: formatMemory(requests.memory) }, samples: observation.samples } };
  }
  return { requests, record: { source: 'prometheus', window: formatDuration(observed.config.window), samples: observation.samples } };
}
