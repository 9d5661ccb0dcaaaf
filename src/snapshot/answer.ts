import { failure } from '../admission/responses.js';
import type { AdmissionReview } from '../admission/types.js';
import type { RuleCatalog } from '../policy/types.js';
import type { ContextState } from './context.js';

const judgedOf = new WeakMap<RuleCatalog, ReadonlySet<string>>();

/** True when some rule of the catalog judges this kind (METADATA `kinds`), computed once per bundle. */
export function judgesKind(catalog: RuleCatalog, kind: string): boolean {
  let kinds = judgedOf.get(catalog);
  if (!kinds) judgedOf.set(catalog, (kinds = new Set(Object.values(catalog).flatMap((r) => r.kinds ?? []))));
  return kinds.has(kind);
}

/**
 * The validating answer of a serverless instance, given its cluster context. With a usable snapshot
 * the answer carries its digest and age as audit annotations (`snapshot-digest`,
 * `snapshot-age-seconds`). Without one (none configured, not loaded, older than
 * snapshotMaxAgeSeconds) a denial stands as it is (with `snapshot-unavailable`), and anything else
 * is answered per failureMode like any other failure: denied, or admitted with a warning and the
 * `failure` audit annotation. Never a silent allow.
 */
export function contextAnswer(answer: AdmissionReview, state: ContextState, mode: 'deny' | 'allow'): AdmissionReview {
  const response = answer.response;
  if (!response) return answer;
  if (state.usable || !response.allowed) return annotated(answer, state);
  const failed = failure(response.uid, mode, 'judge cross-resource rules', state.code, state.reason);
  const out = failed.response as NonNullable<AdmissionReview['response']>;
  const warnings = [...(response.warnings ?? []), ...(out.warnings ?? [])];
  if (warnings.length > 0) out.warnings = warnings;
  out.auditAnnotations = { ...response.auditAnnotations, ...out.auditAnnotations, 'snapshot-unavailable': state.code };
  return failed;
}

/**
 * The same audit annotations on any other answer that read the snapshot (the mutating webhook's:
 * sizing and defaults follow Istio's mesh config from it): `snapshot-digest` and
 * `snapshot-age-seconds`, or `snapshot-unavailable` with the code. Mutation is best-effort, so the
 * answer itself is not changed.
 */
export function annotated(answer: AdmissionReview, state: ContextState): AdmissionReview {
  const response = answer.response;
  if (!response) return answer;
  const notes: Record<string, string> = state.usable ? { 'snapshot-digest': state.digest, 'snapshot-age-seconds': String(state.ageSeconds) } : { 'snapshot-unavailable': state.code };
  response.auditAnnotations = { ...response.auditAnnotations, ...notes };
  return answer;
}
