/** The contract between the admission layer and the mutation layer. */
import type { Operation } from 'fast-json-patch';
import type { Inventory } from '../inventory/inventory.js';
import type { KubeObject } from '../inventory/objects.js';
import type { ObservedSizing } from '../sizing/refresher.js';
import type { MeshFacts } from '../mesh/facts.js';
import type { SidecarBounds } from './bounds.js';
import type { MutationConfig } from './config.js';

/** One admission request, as far as mutation cares. */
export interface MutationRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  /** Object kind, e.g. `Pod`, `Deployment`, `PeerAuthentication`. */
  kind: string;
  /** Request namespace (`default` offline when the object names none). */
  namespace: string;
  /** The object as received. Never mutated in place. */
  object: KubeObject;
  /** The stored object, on UPDATE. */
  oldObject?: KubeObject;
  dryRun: boolean;
}

/** What the runner answers. */
export interface MutationOutcome {
  /** RFC 6902 patch from `compare(original, mutated)`; empty when nothing changed. */
  patch: Operation[];
  /** The mutated object (the original object when nothing changed). */
  mutated: KubeObject;
  /** Ids of the mutators that changed something, in run order. */
  applied: string[];
  /** What each mutator changed, per pass in run order (`mutator` may repeat across passes). */
  changes: MutatorChange[];
  /** Human-readable reasons, including why something was left alone. */
  notes: string[];
}

/** The operations one mutator's edit amounted to in one pass (relative to the object it was given). */
export interface MutatorChange {
  readonly mutator: string;
  readonly ops: readonly Operation[];
}

/**
 * A field a mutator writes: on objects of `kinds`, at `path` as `fieldPath` (explain.ts) writes it, where
 * `[*]` stands for any list index and a leading `<pod>.` for the Pod itself or the workload's pod
 * template (e.g. `<pod>.metadata.annotations["proxy.istio.io/config"]`).
 */
export interface OwnedField {
  readonly kinds: readonly string[];
  readonly path: string;
}

/** What mutators may read besides the request. */
export interface MutationEnv {
  config: MutationConfig;
  /** The cluster view; undefined offline when no files give one. */
  inventory?: Inventory;
  /** Recommendations from observed traffic (`sizing.source: prometheus`); undefined for static sizing. */
  observed?: ObservedSizing;
  /** Bounds of the rule pod-proxy-resources-range; computed sidecar values are clamped into them. */
  bounds?: SidecarBounds;
  /** Istio's mesh config (injector settings and more); undefined when none was read. */
  meshConfig?: MeshFacts;
}

/**
 * One mutator. `matches` is a cheap guard on kind and operation; `mutate` edits the clone it is
 * given (never `req.object`) and returns notes. Whether it changed something is decided by the
 * runner from a diff, so a mutator must be idempotent: run on its own output it changes nothing.
 */
export interface Mutator {
  readonly id: string;
  /**
   * The fields this mutator writes (see {@link OwnedField}): the validating rules must not report
   * them where the mutator sets them (test/policy/webhooks-agree.test.ts holds every mutator to it).
   */
  readonly owns?: readonly OwnedField[];
  matches(req: MutationRequest, env: MutationEnv): boolean;
  mutate(obj: KubeObject, req: MutationRequest, env: MutationEnv): string[];
  /**
   * The only paths `mutate` writes under for this request (e.g. `['metadata', 'annotations']`): the
   * runner copies and diffs just these. Without it the mutator gets a whole copy of the object.
   */
  writes?(req: MutationRequest, env: MutationEnv): readonly (readonly string[])[];
}
