/**
 * Field trimming of the objects the policy engine receives: no object carries the metadata
 * bookkeeping no rule reads (uid, resourceVersion, ...), and for kinds whose objects rules read
 * only in part, the engine gets only those parts (less JSON to encode and parse, less Wasm memory).
 * The Inventory itself keeps whole objects for the mutators. test/policy/trim.test.ts proves, over
 * every rule sample and the shared corpus, that trimming changes no decision.
 */
import type { KubeObject } from '../inventory/objects.js';
import { SELECTABLE_KINDS, podLabels } from './inventory-index.js';

/** Metadata no rule reads: server bookkeeping that every object carries. */
const BOOKKEEPING = ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'selfLink', 'managedFields'];

function trimMetadata(metadata: KubeObject['metadata']): KubeObject['metadata'] {
  if (!metadata || !BOOKKEEPING.some((k) => k in metadata)) return metadata;
  const out: Record<string, unknown> = { ...metadata };
  for (const k of BOOKKEEPING) delete out[k];
  return out as KubeObject['metadata'];
}

/**
 * Workloads in the inventory are read by the rules only for their identity and pod labels
 * (policies/lib/workloads.rego `workload_entry`, lib.covers counts): metadata, and the pod
 * template's labels.
 */
function trimWorkload(kind: string): (o: KubeObject) => KubeObject {
  return (o) => {
    const out: KubeObject = { apiVersion: o.apiVersion, kind: o.kind, metadata: trimMetadata(o.metadata) };
    if (kind !== 'Pod' && o.spec !== undefined) out.spec = { template: { metadata: { labels: podLabels(kind, o) } } };
    return out;
  };
}

/** Every other kind: whole, without the metadata bookkeeping. */
function trimOther(o: KubeObject): KubeObject {
  const metadata = trimMetadata(o.metadata);
  return metadata === o.metadata ? o : { ...o, metadata };
}

/** How objects of `kind` are trimmed for the engine. */
export function trimForEngine(kind: string): (o: KubeObject) => KubeObject {
  return SELECTABLE_KINDS.includes(kind) ? trimWorkload(kind) : trimOther;
}
