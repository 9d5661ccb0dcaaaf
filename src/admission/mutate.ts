import { performance } from 'node:perf_hooks';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { sidecarBounds, type SidecarBounds } from '../mutation/bounds.js';
import { builtinMutators, explainMutations, mutate, type MutationEnv } from '../mutation/index.js';
import type { MeshFacts } from '../mesh/facts.js';
import type { OrgConfig } from '../org-config.js';
import { annotated } from '../snapshot/answer.js';
import { kindLabel } from './label-values.js';
import { recordAdmission, requestFields } from './log-fields.js';
import { allow, deny, failure, patch } from './responses.js';
import type { AdmissionServices } from './services.js';
import type { AdmissionRequest, AdmissionReview } from './types.js';

const bounds = new WeakMap<OrgConfig, SidecarBounds>();

/**
 * The bounds of pod-proxy-resources-range in an org config, read once per org-config load: the
 * sidecar values the mutator computes are clamped into them (one source: the rule's params).
 */
export function sidecarBoundsOf(org: OrgConfig): SidecarBounds {
  let b = bounds.get(org);
  if (!b) {
    b = sidecarBounds(org.raw.rules);
    bounds.set(org, b);
  }
  return b;
}

/** The environment the mutators of one request see. */
export function mutationEnvOf(org: OrgConfig, inventory?: MutationEnv['inventory'], meshConfig?: MeshFacts): MutationEnv {
  return { config: org.mutation, bounds: sidecarBoundsOf(org), ...(inventory ? { inventory } : {}), ...(meshConfig ? { meshConfig } : {}) };
}

/** Errors caused by what the object's author wrote: answered as a 422 denial, whatever failureMode says. */
const USER_INPUT_ERRORS: ReadonlySet<string> = new Set([ErrorCodes.ANNOTATION_INVALID, ErrorCodes.QUANTITY_INVALID]);

/**
 * The mutating webhook's answer for one request: run the ordered mutators over a copy and return
 * the RFC 6902 diff. No side effects, so a dryRun request gets the same answer. Internal failures
 * are answered per failureMode, never thrown.
 */
export function mutateAdmission(s: AdmissionServices, request: AdmissionRequest): AdmissionReview {
  const started = performance.now();
  const fields = requestFields(request);
  let answer: AdmissionReview;
  let applied: string[] = [];
  let errored = false;
  try {
    if (!request.object || request.operation === 'DELETE' || request.operation === 'CONNECT') {
      answer = allow(request.uid);
    } else {
      const env = mutationEnvOf(s.policy.org, s.inventory, s.policy.meshFacts);
      if (s.sizing?.config.source === 'prometheus') env.observed = s.sizing;
      const req = {
        operation: request.operation, kind: fields.kind, namespace: fields.namespace,
        object: request.object, ...(request.oldObject ? { oldObject: request.oldObject } : {}), dryRun: fields.dryRun,
      };
      const outcome = mutate(req, env, builtinMutators);
      applied = outcome.applied;
      for (const id of applied) s.metrics.mutations.inc({ mutator: id, kind: kindLabel(fields.kind, s.policy.holder.current()?.catalog) });
      const warnings = env.config.warnings && applied.length > 0 ? explainMutations(req, outcome) : [];
      answer = patch(request.uid, outcome.patch, applied.length > 0 ? { auditAnnotations: { mutations: applied.join(',') }, warnings } : {});
    }
  } catch (err) {
    const code = err instanceof MeshguardError ? err.code : ErrorCodes.MUTATION_FAILED;
    if (err instanceof MeshguardError && USER_INPUT_ERRORS.has(code)) {
      s.log.info({ ...fields, code, err: err.message }, 'mutation denied: invalid input');
      answer = deny(request.uid, 422, err.message, { reason: 'Invalid' });
    } else {
      errored = true;
      s.log.error({ ...fields, code, err: describeError(err) }, 'mutation failed');
      answer = failure(request.uid, s.config.failureMode, 'compute mutations', code, err instanceof MeshguardError ? err.message : undefined);
    }
  }
  // Serverless: say which cluster snapshot the mesh config came from (or that there was none).
  if (s.context && !errored) answer = annotated(answer, s.context.state());
  const response = answer.response!;
  const outcome = errored ? 'error' : !response.allowed ? 'denied' : response.patch ? 'mutated' : 'allowed';
  recordAdmission(s, {
    webhook: 'mutate', fields, started, outcome, answer,
    extra: { ruleIds: [], mutators: applied, mutated: Boolean(response.patch), policyVersion: s.policy.holder.status.version ?? null },
  });
  return answer;
}
