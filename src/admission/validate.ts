import { performance } from 'node:perf_hooks';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { decide, honouredExemptions, type ValidationDecision } from '../policy/decision.js';
import { judgeRequest } from './judge-request.js';
import { enforcementLabel, ruleLabel } from './label-values.js';
import { contextAnswer, judgesKind } from '../snapshot/answer.js';
import { recordAdmission, requestFields } from './log-fields.js';
import { allow, deny, failure } from './responses.js';
import type { AdmissionServices } from './services.js';
import type { AdmissionRequest, AdmissionReview } from './types.js';

/**
 * The validating webhook's decision for one request: evaluate the raw AdmissionReview in the
 * Wasm engine (in a worker, under the evaluationTimeoutMs deadline), apply exemptions, map to
 * allowed/denied/warnings, and record logs and metrics. Internal failures (a trap, a deadline
 * passed, an overload) are answered per failureMode, never thrown.
 */
export async function validateAdmission(s: AdmissionServices, request: AdmissionRequest, raw: ArrayBuffer | object): Promise<AdmissionReview> {
  const started = performance.now();
  const fields = requestFields(request);
  const engine = s.policy.holder.current();
  let decision: ValidationDecision | undefined;
  let answer: AdmissionReview;
  try {
    if (!engine) throw new MeshguardError(ErrorCodes.POLICY_NOT_LOADED, 'no policy bundle is loaded');
    const t0 = performance.now();
    const violations = await engine.evaluate(raw, request.kind?.kind);
    s.metrics.evaluation.observe({ bundle_version: engine.version }, (performance.now() - t0) / 1000);
    const judged = judgeRequest(s, request, fields, violations, engine.catalog);
    decision = decide(judged, { kind: fields.kind, namespace: fields.namespace, name: fields.name });
    const extras = { warnings: decision.warnings, auditAnnotations: decision.auditAnnotations };
    answer = decision.allowed
      ? allow(request.uid, extras)
      : deny(request.uid, decision.status?.code ?? 403, decision.status?.message ?? 'denied', { ...extras, reason: 'Forbidden' });
    for (const v of judged) s.metrics.violations.inc({ rule: ruleLabel(v.id, engine.catalog), enforcement: enforcementLabel(v.enforcement), exempt: v.exempt ? 'true' : 'false', dry_run: fields.dryRun ? 'true' : 'false' });
  } catch (err) {
    const code = err instanceof MeshguardError ? err.code : ErrorCodes.POLICY_EVALUATION;
    s.metrics.evaluationErrors.inc({ code });
    if (code === ErrorCodes.POLICY_TIMEOUT) s.metrics.evaluationTimeouts.inc();
    s.log.error({ ...fields, code, err: describeError(err) }, 'policy evaluation failed');
    answer = failure(request.uid, s.config.failureMode, 'evaluate policies', code, err instanceof MeshguardError ? err.message : undefined);
  }
  // Serverless: a decision relies on the cluster snapshot, or says that it could not.
  if (s.context && decision && engine && judgesKind(engine.catalog, fields.kind)) answer = contextAnswer(answer, s.context.state(), s.config.failureMode);
  const response = answer.response!;
  const outcome = decision === undefined ? 'error' : !response.allowed ? 'denied' : response.warnings ? 'warned' : 'allowed';
  recordAdmission(s, {
    webhook: 'validate', fields, started, outcome, answer,
    extra: {
      ruleIds: decision ? decision.violations.map((v) => v.id) : [],
      exemptRuleIds: decision ? decision.violations.filter((v) => v.exempt).map((v) => v.id) : [],
      exemptions: decision ? honouredExemptions(decision.violations).map((e) => ({ rule: e.rule, source: e.source, ...(e.name ? { name: e.name } : {}) })) : [],
      mutated: false, policyVersion: engine?.version ?? null,
    },
  });
  return answer;
}
