/**
 * The UPDATE rule for user-owned fields (PeerAuthentication mode, DestinationRule TLS, tracing
 * sampling, proxy-config keys): a default is filled only where the value is missing from the new
 * object AND the user did not just remove it. "Removed" means the old object had a value at that
 * place and the new one has none. The one exception is a value meshguard itself had put there
 * (the old object's `meshguard.io/mutations` lists the mutator and the old value equals its
 * default): tools such as server-side apply drop such values on the next apply, and refilling
 * them is not a fight with the user.
 */
import { isDeepStrictEqual } from 'node:util';
import { isRecord, type KubeObject } from '../inventory/objects.js';
import { MUTATIONS_ANNOTATION } from './annotations.js';
import type { MutationRequest } from './types.js';

/** Ids listed in an object's `meshguard.io/mutations` annotation. */
export function recordedMutators(obj: KubeObject | undefined): string[] {
  const annotations = obj?.metadata?.annotations;
  const text = isRecord(annotations) ? annotations[MUTATIONS_ANNOTATION] : undefined;
  if (typeof text !== 'string') return [];
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * True when, on UPDATE, the user removed the value that `read` finds, so the default must not be
 * filled (see the module comment). Call it only when the new object lacks the value.
 * @param read finds the value in an object; undefined or null when absent.
 * @param ourValue the value the mutator would fill.
 */
export function removedByUser(
  req: MutationRequest,
  mutatorId: string,
  read: (obj: KubeObject) => unknown,
  ourValue: unknown,
): boolean {
  if (req.operation !== 'UPDATE' || !req.oldObject) return false;
  const oldValue = read(req.oldObject);
  if (oldValue === undefined || oldValue === null) return false;
  const ours = recordedMutators(req.oldObject).includes(mutatorId) && isDeepStrictEqual(oldValue, ourValue);
  return !ours;
}
