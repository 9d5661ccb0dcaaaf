import type { KubeObject } from '../inventory/objects.js';
import { AUTHORIZATION_RULE_ID } from './authorization.js';
import type { ResourceGrant } from './exemption-grants.js';
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

/** What `judge` needs to decide exemptions for one object. */
export interface JudgeContext {
  object: KubeObject | undefined;
  /** The admitted kind (request.kind.kind; the object's kind offline). */
  kind?: string;
  namespace: string;
  exemptions: Exemptions;
  catalog: RuleCatalog;
  now: Date;
  /** False when the request wrote the exemption annotation without being allowed to (default true: as found). */
  honourAnnotation?: boolean;
  /** Well-formed Exemption objects of meshguard's namespace. */
  resources?: readonly ResourceGrant[];
}

/**
 * Applies exemptions to the engine's violations and adds catalog facts (istioCode). The built-in
 * authorization check ({@link AUTHORIZATION_RULE_ID}) is never exempt.
 */
export function judge(violations: Violation[], ctx: JudgeContext): JudgedViolation[] {
  const target = {
    object: ctx.object, kind: ctx.kind ?? ctx.object?.kind ?? '', namespace: ctx.namespace, now: ctx.now,
    honourAnnotation: ctx.honourAnnotation ?? true, resources: ctx.resources ?? [],
  };
  const out: JudgedViolation[] = [];
  for (const v of violations) {
    const judged: JudgedViolation = { ...v };
    const code = ctx.catalog[v.id]?.istioCode;
    if (code) judged.istioCode = code;
    const verdict = v.id === AUTHORIZATION_RULE_ID ? { exempt: false as const } : ctx.exemptions.verdict(v.id, target);
    if (verdict.exempt) {
      judged.exempt = verdict.exemption.reason;
      judged.exemption = verdict.exemption;
    } else if (verdict.note) judged.message = `${v.message} (${verdict.note})`;
    out.push(judged);
  }
  return out.sort((a, b) => a.id.localeCompare(b.id) || a.message.localeCompare(b.message));
}

/** The honoured exemptions of a decision, one per rule: for logs, metrics and auditAnnotations. */
export function honouredExemptions(judged: JudgedViolation[]): Array<{ rule: string; source: string; owner?: string; expires?: string; name?: string }> {
  const seen = new Map<string, { rule: string; source: string; owner?: string; expires?: string; name?: string }>();
  for (const v of judged) {
    if (!v.exemption || seen.has(v.id)) continue;
    const { source, owner, expires, name } = v.exemption;
    seen.set(v.id, { rule: v.id, source, ...(owner ? { owner } : {}), ...(expires ? { expires } : {}), ...(name ? { name } : {}) });
  }
  return [...seen.values()];
}

/**
 * Maps judged violations to the webhook answer: any non-exempt `deny` rejects with 403 and a
 * message listing every denial as `[rule-id] message` (what kubectl prints); `warn` becomes a
 * response warning; `dryrun` only reaches auditAnnotations (and logs and metrics). Honoured
 * exemptions are listed in auditAnnotations `exempted` (rule ids) and `exempted-by` (JSON: rule,
 * source, owner, expires, Exemption name). Audit annotation
 * keys carry no prefix: the API server prefixes them with the webhook's name.
 */
export function decide(judged: JudgedViolation[]): ValidationDecision {
  const live = judged.filter((v) => !v.exempt);
  const denies = live.filter((v) => v.enforcement === 'deny');
  const warnings = live.filter((v) => v.enforcement === 'warn').map((v) => `[${v.id}] ${v.message}`);
  const auditAnnotations: Record<string, string> = {};
  const dryruns = live.filter((v) => v.enforcement === 'dryrun');
  if (dryruns.length > 0) auditAnnotations['dryrun-violations'] = dryruns.map((v) => `[${v.id}] ${v.message}`).join('; ');
  const honoured = honouredExemptions(judged);
  if (honoured.length > 0) {
    auditAnnotations['exempted'] = honoured.map((e) => e.rule).join(',');
    auditAnnotations['exempted-by'] = JSON.stringify(honoured);
  }
  if (denies.length === 0) return { allowed: true, warnings, auditAnnotations, violations: judged };
  const lines = denies.map((v) => `[${v.id}] ${v.message}`);
  const message = `meshguard denied the request: ${lines.join('; ')}`;
  return { allowed: false, status: { code: 403, message, reason: 'Forbidden' }, warnings, auditAnnotations, violations: judged };
}
