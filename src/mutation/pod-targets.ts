/**
 * Where the pod-level mutators write: the Pod itself, or the pod template of a workload.
 * Also small helpers to read and write metadata without creating empty maps needlessly.
 */
import { isRecord, type KubeObject } from '../inventory/objects.js';
import type { MutationEnv, MutationRequest } from './types.js';

/** Path from a workload to its pod template, by kind. */
export const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** Kinds whose Pods the pod-level mutators write to: the Pod itself and the workloads of {@link TEMPLATE_PATHS}. */
export const POD_KINDS: readonly string[] = ['Pod', ...Object.keys(TEMPLATE_PATHS)];

/** A pod or pod template inside an object: its metadata holder and spec. */
export interface PodTarget {
  /** The record holding `metadata` and `spec` (the Pod itself, or the template). */
  readonly holder: Record<string, unknown>;
  readonly spec: Record<string, unknown>;
  /** Path from the object root to `holder`, e.g. `spec.template` (empty for a Pod). */
  readonly path: readonly string[];
  /** Label for notes: `Pod` or `Deployment spec.template`. */
  readonly label: string;
}

/** Follows `path` through nested records; undefined when any step is not a record. */
export function dig(root: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let cur: unknown = root;
  for (const step of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[step];
  }
  return isRecord(cur) ? cur : undefined;
}

/**
 * The pod targets of a request (see {@link hasPodTargets}): a Pod, or the pod template of a
 * workload kind in {@link TEMPLATE_PATHS} when `sidecar.templates` is on. A template without a
 * `spec` is not a target.
 */
export function podTargets(obj: KubeObject, req: MutationRequest, env: MutationEnv): PodTarget[] {
  if (req.kind === 'Pod') {
    if (req.operation !== 'CREATE' || !isRecord(obj.spec)) return [];
    return [{ holder: obj, spec: obj.spec, path: [], label: 'Pod' }];
  }
  const path = TEMPLATE_PATHS[req.kind];
  if (!path || !hasPodTargets(req, env)) return [];
  const holder = dig(obj, path);
  if (!holder || !isRecord(holder.spec)) return [];
  return [{ holder, spec: holder.spec, path, label: `${req.kind} ${path.join('.')}` }];
}

/**
 * True when the request can have pod targets under the current config: Pods on CREATE only (the
 * injector reads the annotations once); templates on CREATE and UPDATE, except a Job's, which is
 * immutable after creation (changing it would make the API server reject the update).
 */
export function hasPodTargets(req: MutationRequest, env: MutationEnv): boolean {
  if (req.kind === 'Pod') return req.operation === 'CREATE';
  if (!env.config.sidecar.templates || TEMPLATE_PATHS[req.kind] === undefined) return false;
  if (req.kind === 'Job') return req.operation === 'CREATE';
  return req.operation === 'CREATE' || req.operation === 'UPDATE';
}

/** Where the pod-level mutators write for this request: the annotations of its pod targets. */
export function podAnnotationPaths(req: MutationRequest): string[][] {
  const annotations = ['metadata', 'annotations'];
  if (req.kind === 'Pod') return [annotations];
  const path = TEMPLATE_PATHS[req.kind];
  return path ? [[...path, ...annotations]] : [];
}

/** The metadata record of a holder, or an empty one (not attached). */
export function metaOf(holder: Record<string, unknown>): Record<string, unknown> {
  return isRecord(holder.metadata) ? holder.metadata : {};
}

/** The annotations of a holder as a string map (empty when absent). */
export function annotationsOf(holder: Record<string, unknown>): Record<string, string> {
  const meta = metaOf(holder);
  return isRecord(meta.annotations) ? (meta.annotations as Record<string, string>) : {};
}

/** Sets one annotation, creating `metadata` and `metadata.annotations` only when needed. */
export function setAnnotation(holder: Record<string, unknown>, key: string, value: string): void {
  if (!isRecord(holder.metadata)) holder.metadata = {};
  const meta = holder.metadata as Record<string, unknown>;
  if (!isRecord(meta.annotations)) meta.annotations = {};
  (meta.annotations as Record<string, string>)[key] = value;
}
