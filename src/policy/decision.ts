import type { KubeObject } from '../inventory/objects.js';
import { AUTHORIZATION_RULE_ID } from './authorization.js';
import { DEFAULT_EXEMPTION_NAMESPACE, type ResourceGrant } from './exemption-grants.js';
import type { Exemptions } from './exemptions.js';
import { AUTHORIZATION_RULE, denialMessage, docsAnchor, exemptionHint, formatFinding, warningLines, type Subject } from './message.js';
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
  /** Meshguard's namespace, where Exemption objects count (for the Exempt hint; default meshguard-system). */
  exemptionNamespace?: string;
}

/** The catalog facts of a violation: IST code, field, fix (details.fix over the catalog's), docs anchor. */
function catalogFacts(v: Violation, catalog: RuleCatalog): Pick<JudgedViolation, 'istioCode' | 'field' | 'fix' | 'docs'> {
  const info = v.id === AUTHORIZATION_RULE.id ? AUTHORIZATION_RULE : catalog[v.id];
  const field = v.details?.field;
  const fix = typeof v.details?.fix === 'string' && v.details.fix !== '' ? v.details.fix : info?.fix;
  return {
    ...(info?.istioCode ? { istioCode: info.istioCode } : {}),
    ...(typeof field === 'string' && field !== '' ? { field } : {}),
    ...(fix ? { fix } : {}),
    docs: docsAnchor(v.id),
  };
}

/**
 * Applies exemptions to the engine's violations and adds what the message needs: catalog facts
 * (istioCode, fix, docs anchor), the field path, and how the violation could be exempted (or why
 * an exemption naming it was ignored). The built-in authorization check
 * ({@link AUTHORIZATION_RULE_ID}) is never exempt.
 */
export function judge(violations: Violation[], ctx: JudgeContext): JudgedViolation[] {
  const target = {
    object: ctx.object, kind: ctx.kind ?? ctx.object?.kind ?? '', namespace: ctx.namespace, now: ctx.now,
    honourAnnotation: ctx.honourAnnotation ?? true, resources: ctx.resources ?? [],
  };
  const exemptionNamespace = ctx.exemptionNamespace ?? DEFAULT_EXEMPTION_NAMESPACE;
  const out: JudgedViolation[] = [];
  for (const v of violations) {
    const judged: JudgedViolation = { ...v, ...catalogFacts(v, ctx.catalog) };
    const verdict = v.id === AUTHORIZATION_RULE_ID ? { exempt: false as const } : ctx.exemptions.verdict(v.id, target);
    if (verdict.exempt) {
      judged.exempt = verdict.exemption.reason;
      judged.exemption = verdict.exemption;
    } else {
      judged.exemptHow = exemptionHint(v.id, ctx.exemptions.config, exemptionNamespace);
      if (verdict.note) judged.exemptionNote = verdict.note;
    }
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
 * message of the denials (one finding, or a header naming the subject and one finding per line;
 * see message.ts); `warn` becomes one response warning per finding (all
 * in short form when the full ones would exceed the API server's warning budget); `dryrun` only reaches
 * auditAnnotations `dryrun-violations` (one finding per line; and logs and metrics). Honoured
 * exemptions are listed in auditAnnotations `exempted` (rule ids) and `exempted-by` (JSON: rule,
 * source, owner, expires, Exemption name). Audit annotation keys carry no prefix: the API server
 * prefixes them with the webhook's name.
 */
export function decide(judged: JudgedViolation[], subject?: Subject): ValidationDecision {
  const live = judged.filter((v) => !v.exempt);
  const denies = live.filter((v) => v.enforcement === 'deny');
  const warnings = warningLines(live.filter((v) => v.enforcement === 'warn'));
  const auditAnnotations: Record<string, string> = {};
  const dryruns = live.filter((v) => v.enforcement === 'dryrun');
  if (dryruns.length > 0) auditAnnotations['dryrun-violations'] = dryruns.map(formatFinding).join('\n');
  const honoured = honouredExemptions(judged);
  if (honoured.length > 0) {
    auditAnnotations['exempted'] = honoured.map((e) => e.rule).join(',');
    auditAnnotations['exempted-by'] = JSON.stringify(honoured);
  }
  if (denies.length === 0) return { allowed: true, warnings, auditAnnotations, violations: judged };
  const message = denialMessage(denies, subject);
  return { allowed: false, status: { code: 403, message, reason: 'Forbidden' }, warnings, auditAnnotations, violations: judged };
}
