import type { KubeObject } from '../kube/objects.js';
import type { Exemptions } from './exemptions.js';
import type { JudgedViolation, RuleCatalog, Violation } from './types.js';

/** The validating webhook's answer, before it is wrapped in an AdmissionReview. */
export interface ValidationDecision {
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  warnings: string[];
  auditAnnotations: Record<string, string>;
  violations: JudgedViolation[];
}

/** Applies exemptions to the engine's violations and adds catalog facts (istioCode). */
export function judge(
  violations: Violation[],
  ctx: { object: KubeObject | undefined; namespace: string; exemptions: Exemptions; catalog: RuleCatalog; now: Date },
): JudgedViolation[] {
  const out: JudgedViolation[] = [];
  for (const v of violations) {
    const judged: JudgedViolation = { ...v };
    const code = ctx.catalog[v.id]?.istioCode;
    if (code) judged.istioCode = code;
    const verdict = ctx.exemptions.verdict(v.id, ctx.object, ctx.namespace, ctx.now);
    if (verdict.exempt) judged.exempt = verdict.reason;
    else if (verdict.note) judged.message = `${v.message} (${verdict.note})`;
    out.push(judged);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id) || a.message.localeCompare(b.message));
}

/**
 * Maps judged violations to the webhook answer: any non-exempt `deny` rejects with 403 and a
 * message listing every denial as `[rule-id] message` (what kubectl prints); `warn` becomes a
 * response warning; `dryrun` only reaches auditAnnotations (and logs and metrics). Audit annotation
 * keys carry no prefix: the API server prefixes them with the webhook's name.
 */
export function decide(judged: JudgedViolation[]): ValidationDecision {
  const live = judged.filter((v) => !v.exempt);
  const denies = live.filter((v) => v.enforcement === 'deny');
  const warnings = live.filter((v) => v.enforcement === 'warn').map((v) => `[${v.id}] ${v.message}`);
  const auditAnnotations: Record<string, string> = {};
  const dryruns = live.filter((v) => v.enforcement === 'dryrun');
  if (dryruns.length > 0) auditAnnotations['dryrun-violations'] = dryruns.map((v) => `[${v.id}] ${v.message}`).join('; ');
  const exempt = judged.filter((v) => v.exempt);
  if (exempt.length > 0) auditAnnotations['exempted'] = [...new Set(exempt.map((v) => v.id))].join(',');
  if (denies.length === 0) return { allowed: true, warnings, auditAnnotations, violations: judged };
  const lines = denies.map((v) => `[${v.id}] ${v.message}`);
  const message = `meshguard denied the request: ${lines.join('; ')}`;
  return { allowed: false, status: { code: 403, message, reason: 'Forbidden' }, warnings, auditAnnotations, violations: judged };
}
