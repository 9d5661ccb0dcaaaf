/**
 * The mutation runner: applies the matching mutators in order to a copy of the object, records
 * which of them changed something in `meshguard.io/mutations`, and answers with the RFC 6902 patch
 * `compare(original, mutated)`, both taken over the subtrees the mutators own (subtrees.ts). It then runs again over its own result, up to
 * `config.maxPasses` passes in all, and only answers once a pass changes nothing: a mutation set
 * that keeps changing its own output is a bug and fails with MUTATION_NOT_CONVERGED.
 */
import jsonpatch from 'fast-json-patch';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import type { KubeObject } from '../inventory/objects.js';
import { MUTATIONS_ANNOTATION } from './annotations.js';
import { mtlsDefaultsMutator } from './mutators/mtls-defaults.js';
import { sidecarResourcesMutator } from './mutators/sidecar-resources.js';
import { telemetryDefaultsMutator } from './mutators/telemetry-defaults.js';
import { waypointResourcesMutator } from './mutators/waypoint-resources.js';
import { recordedMutators } from './ownership.js';
import { setAnnotation } from './pod-targets.js';
import { dataCopy, ownedCopy, ownedView, pathTree, type OwnedPath, type PathTree } from './subtrees.js';
import type { MutationEnv, MutationOutcome, MutationRequest, Mutator, MutatorChange } from './types.js';

/** The built-in mutators, in the order they run. */
export const builtinMutators: Mutator[] = [sidecarResourcesMutator, mtlsDefaultsMutator, telemetryDefaultsMutator, waypointResourcesMutator];

interface PassResult {
  object: KubeObject;
  changed: string[];
  changes: MutatorChange[];
  notes: string[];
}

function guarded<T>(mutator: Mutator, run: () => T): T {
  try {
    return run();
  } catch (err) {
    const code = err instanceof MeshguardError ? err.code : ErrorCodes.MUTATION_FAILED;
    const statusCode = err instanceof MeshguardError ? err.statusCode : 500;
    throw new MeshguardError(code, `mutator ${mutator.id}: ${describeError(err)}`, { statusCode, cause: err });
  }
}

/** What the runner writes itself: the `meshguard.io/mutations` annotation. */
const RUNNER_OWNS: OwnedPath = ['metadata', 'annotations'];

/** The matching mutators of a request and the subtrees each owns (undefined: the whole object). */
interface Plan {
  steps: { mutator: Mutator; tree: PathTree | true }[];
  /** Everything any step or the runner writes. */
  tree: PathTree | true;
}

function plan(req: MutationRequest, env: MutationEnv, mutators: readonly Mutator[]): Plan {
  const steps: Plan['steps'] = [];
  const all: OwnedPath[] = [RUNNER_OWNS];
  for (const mutator of mutators) {
    // Only a matching mutator can change anything: no copy and no diff for the others.
    if (!guarded(mutator, () => mutator.matches(req, env))) continue;
    const owned = mutator.writes ? guarded(mutator, () => mutator.writes!(req, env)) : [[]];
    steps.push({ mutator, tree: pathTree(owned) });
    all.push(...owned);
  }
  return { steps, tree: pathTree(all) };
}

function changes(a: KubeObject, b: KubeObject, tree: PathTree | true): jsonpatch.Operation[] {
  return jsonpatch.compare(ownedView(a, tree) as object, ownedView(b, tree) as object);
}

function runPass(current: KubeObject, req: MutationRequest, env: MutationEnv, work: Plan): PassResult {
  const object = ownedCopy(current, work.tree);
  const passReq: MutationRequest = { ...req, object: current };
  const changed: string[] = [];
  const changes: MutatorChange[] = [];
  const notes: string[] = [];
  for (const { mutator, tree } of work.steps) {
    const before = dataCopy(ownedView(object, tree)) as object;
    notes.push(...guarded(mutator, () => mutator.mutate(object, passReq, env)));
    const ops = jsonpatch.compare(before, ownedView(object, tree) as object);
    if (ops.length > 0) {
      changed.push(mutator.id);
      changes.push({ mutator: mutator.id, ops });
    }
  }
  if (changed.length > 0) {
    const ids = recordedMutators(object);
    for (const id of changed) if (!ids.includes(id)) ids.push(id);
    setAnnotation(object, MUTATIONS_ANNOTATION, ids.join(','));
  }
  return { object, changed, changes, notes };
}

function addAll(target: string[], items: string[]): void {
  for (const item of items) if (!target.includes(item)) target.push(item);
}

/**
 * Mutates one admission request. DELETE and CONNECT get an empty outcome; `dryRun` changes
 * nothing (mutators have no side effects). `req.object` is never modified.
 * @param mutators defaults to {@link builtinMutators}.
 * @throws MeshguardError MUTATION_NOT_CONVERGED when `config.maxPasses` passes still change the
 *   object; the mutator's own coded error (QUANTITY_INVALID for a bad quantity), or
 *   MUTATION_FAILED for anything else a mutator throws, prefixed with the mutator id.
 */
export function mutate(req: MutationRequest, env: MutationEnv, mutators: Mutator[] = builtinMutators): MutationOutcome {
  const outcome: MutationOutcome = { patch: [], mutated: req.object, applied: [], changes: [], notes: [] };
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return outcome;
  const { view, managedFields } = withoutManagedFields(req.object);
  const work = plan({ ...req, object: view }, env, mutators);
  if (work.steps.length === 0) return outcome;
  let current = view;
  // The diff of the last pass that changed something; when that was the first pass, it is the patch.
  let lastDiff: jsonpatch.Operation[] = [];
  let changingPasses = 0;
  for (let pass = 1; ; pass++) {
    const result = runPass(current, req, env, work);
    addAll(outcome.notes, result.notes);
    const diff = changes(current, result.object, work.tree);
    if (diff.length === 0) break;
    if (pass >= env.config.maxPasses) {
      throw new MeshguardError(
        ErrorCodes.MUTATION_NOT_CONVERGED,
        `mutation did not converge after ${pass} passes (still changing: ${result.changed.join(', ') || 'annotations'})`,
      );
    }
    addAll(outcome.applied, result.changed);
    outcome.changes.push(...result.changes);
    current = result.object;
    lastDiff = diff;
    changingPasses++;
  }
  outcome.mutated = managedFields === undefined ? current : { ...current, metadata: { ...current.metadata, managedFields } };
  outcome.patch = changingPasses <= 1 ? lastDiff : changes(view, current, work.tree);
  return outcome;
}

/**
 * The object without `metadata.managedFields` (a shallow copy; the input is not changed). The API
 * server sends them with every object, they are often larger than the rest, and no mutator touches
 * them: leaving them out of every copy and diff keeps the patch the same and the work small.
 */
function withoutManagedFields(object: KubeObject): { view: KubeObject; managedFields: unknown } {
  const meta = object.metadata;
  if (!meta || meta.managedFields === undefined) return { view: object, managedFields: undefined };
  const { managedFields, ...rest } = meta;
  return { view: { ...object, metadata: rest }, managedFields };
}
