/**
 * Field trimming of the objects the policy engine receives: every object reaches the engine with
 * the fields the rules read of inventory objects only (less JSON to encode and parse, less Wasm
 * memory). The Inventory itself keeps whole objects for the mutators. test/policy/decisions.test.ts
 * proves, over every rule sample, the shared corpus and a generated mesh, that trimming changes no
 * decision, and test/policy/trim.test.ts that every field the rules name is kept.
 */
import type { KubeObject } from '../inventory/objects.js';
import { SELECTABLE_KINDS, podLabels } from './inventory-index.js';

/**
 * The metadata rules read of inventory objects: identity (lib.same_object, references.referrer),
 * labels and annotations (selectors, namespace enrolment, exportTo, waypoints) and a Pod's owner
 * (istio.owner). Server bookkeeping (uid, resourceVersion, managedFields, ...) is never read.
 */
export const METADATA_FIELDS = ['name', 'namespace', 'labels', 'annotations', 'generateName', 'ownerReferences'] as const;

/**
 * Per inventory kind, the top-level fields rules read of its objects besides `apiVersion`, `kind`
 * and `metadata`, which every object keeps (lib.same_object, lib.inventory_kind and
 * references.referrer read them; snapshots hold these objects and are loaded by their kind).
 * `status` is read by no rule of an inventory object; AuthorizationPolicies and Namespaces are
 * looked up by name and labels only.
 * Kinds not listed keep every top-level field (Secrets' tlsFacts, the Gateway API kinds, ...);
 * workloads ({@link SELECTABLE_KINDS}) keep their pod labels only (policies/lib/workloads.rego).
 */
export const ENGINE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Namespace: [],
  AuthorizationPolicy: [],
  PeerAuthentication: ['spec'],
  Sidecar: ['spec'],
  Telemetry: ['spec'],
  ServiceEntry: ['spec'],
  VirtualService: ['spec'],
  DestinationRule: ['spec'],
  Service: ['spec'],
  Gateway: ['spec'],
};

/**
 * Kinds whose `spec` rules read in part: the spec fields kept. Inventory DestinationRules are read
 * for their host, subsets and exportTo (vs-subset-exists, dr-subset-in-use, host-in-use), never
 * for their traffic policies.
 */
export const SPEC_FIELDS: Readonly<Record<string, readonly string[]>> = {
  DestinationRule: ['host', 'subsets', 'exportTo'],
};

/** The listed fields of `obj` that are set. */
function pick(obj: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (obj[f] !== undefined) out[f] = obj[f];
  return out;
}

function trimMetadata(metadata: KubeObject['metadata']): KubeObject['metadata'] {
  return metadata && (pick(metadata, METADATA_FIELDS) as KubeObject['metadata']);
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

/** `spec` with the listed fields only (as it is when it is not an object). */
function trimSpec(spec: unknown, fields: readonly string[]): unknown {
  return typeof spec !== 'object' || spec === null || Array.isArray(spec) ? spec : pick(spec as Record<string, unknown>, fields);
}

/** A listed kind: its identity, metadata and the listed fields (of `spec`, those of {@link SPEC_FIELDS}). */
function trimListed(fields: readonly string[], specFields: readonly string[] | undefined): (o: KubeObject) => KubeObject {
  return (o) => {
    const out: Record<string, unknown> = { apiVersion: o.apiVersion, kind: o.kind, metadata: trimMetadata(o.metadata) };
    for (const f of fields) if (o[f] !== undefined) out[f] = f === 'spec' && specFields ? trimSpec(o.spec, specFields) : o[f];
    return out as KubeObject;
  };
}

/** Every other kind: whole, with the metadata the rules read. */
function trimOther(o: KubeObject): KubeObject {
  return { ...o, metadata: trimMetadata(o.metadata) };
}

/** How objects of `kind` are trimmed for the engine. */
export function trimForEngine(kind: string): (o: KubeObject) => KubeObject {
  if (SELECTABLE_KINDS.includes(kind)) return trimWorkload(kind);
  const fields = ENGINE_FIELDS[kind];
  return fields ? trimListed(fields, SPEC_FIELDS[kind]) : trimOther;
}
