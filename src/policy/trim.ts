/**
 * Field trimming of the objects the policy engine receives: for kinds whose objects rules read
 * only in part, the engine gets only those parts (less JSON to encode and parse, less Wasm memory).
 * The Inventory itself keeps whole objects for the mutators. test/policy/trim.test.ts proves, over
 * every rule sample and the shared corpus, that trimming changes no decision.
 */
import type { KubeObject } from '../inventory/objects.js';
import { SELECTABLE_KINDS, podLabels } from './inventory-index.js';

/**
 * Workloads in the inventory are read by the rules only for their identity and pod labels
 * (policies/lib/workloads.rego `workload_entry`, lib.covers counts): metadata, and the pod
 * template's labels.
 */
function trimWorkload(kind: string): (o: KubeObject) => KubeObject {
  return (o) => {
    const out: KubeObject = { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata };
    if (kind !== 'Pod' && o.spec !== undefined) out.spec = { template: { metadata: { labels: podLabels(kind, o) } } };
    return out;
  };
}

/** How objects of `kind` are trimmed for the engine, or undefined when they go whole. */
export function trimForEngine(kind: string): ((o: KubeObject) => KubeObject) | undefined {
  return SELECTABLE_KINDS.includes(kind) ? trimWorkload(kind) : undefined;
}
