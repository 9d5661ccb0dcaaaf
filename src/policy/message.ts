/**
 * The one formatter of findings: denial messages, warnings, audit annotations and `meshguard check`
 * text all read
 *
 *     [rule-id IST0101] <rule message> (<field>). Fix: <sentence>. Exempt: <how>. See docs/rules.md#rule-id
 *
 * one line per finding, in the manner of linters that point at the field, say how to fix it and
 * link the rule's documentation.
 */
import { AUTHORIZATION_RULE_ID } from './authorization.js';
import { EXEMPTION_KIND } from './exemption-grants.js';
import type { ExemptionConfig } from './exemptions.js';
import type { RuleInfo } from './types.js';

/** The document every rule has a section in; the anchor is the rule id. */
export const RULES_DOC = 'docs/rules.md';

/** What one finding line is made of (a judged violation, or a `meshguard check` result's violation). */
export interface Finding {
  id: string;
  istioCode?: string;
  message: string;
  /** The offending field path; printed unless the message already names it. */
  field?: string;
  fix?: string;
  /** How it could be exempted (see {@link exemptionHint}). */
  exemptHow?: string;
  /** Why an exemption naming the rule was ignored. */
  exemptionNote?: string;
  docs?: string;
  /** Set when the finding is exempt: `<source>: <reason>`; replaces the Exempt hint. */
  exempted?: string;
}

/** The object a decision is about, as a header names it: `VirtualService shop/reviews`. */
export interface Subject {
  kind: string;
  namespace?: string;
  name?: string;
}

/** The built-in authorization check, described like a rule so its findings read like the others. */
export const AUTHORIZATION_RULE: RuleInfo = {
  id: AUTHORIZATION_RULE_ID,
  title: 'Exemption metadata only from those allowed to grant it',
  severity: 'high',
  enforcement: 'deny',
  package: 'built-in (src/policy/authorization.ts)',
  kinds: ['any object carrying the exemption annotation', 'Namespace', EXEMPTION_KIND],
  fix: 'Remove the exemption annotation or enforcement label, or have a granter write it naming known, unlocked rules with an expiry within the horizon.',
  why: 'an author must not exempt their own object (security)',
  description: 'Adding or changing the exemption annotation (on an object or in a pod or job template), a Namespace\'s enforcement label, or an Exemption object is an authorization decision: the annotation and the label need a granter (org config `exemptions.granters`), what is written must name known, unlocked rules and expire within the horizon (`exemptions.horizonDays`), and Exemption objects are honoured only in meshguard\'s namespace.',
};

/** `docs/rules.md#<id>`: where a rule is documented. */
export function docsAnchor(ruleId: string): string {
  return `${RULES_DOC}#${ruleId}`;
}

function who(granters: ExemptionConfig['granters']): string {
  const parts = [
    ...granters.users.map((u) => `user ${u}`),
    ...granters.groups.map((g) => `group ${g}`),
  ];
  return parts.join(' or ');
}

/**
 * How a violation of the rule could be exempted under the org's exemption model: never for the
 * built-in authorization check; only through the org config's `exemptions.entries` for a locked
 * rule; otherwise an Exemption object in meshguard's namespace (who may write one is RBAC's
 * decision), or the exemption annotation when the org config names granters, both within the
 * horizon.
 */
export function exemptionHint(ruleId: string, config: ExemptionConfig, exemptionNamespace: string): string {
  if (ruleId === AUTHORIZATION_RULE_ID) return 'never (this check guards exemptions)';
  if (config.locked.has(ruleId)) return 'not exemptible (locked by the org config; only its exemptions.entries apply)';
  const days = `${config.horizonDays} days`;
  const granters = who(config.granters);
  const annotation = granters ? `, or the annotation ${config.annotation} set by ${granters}` : '';
  return `an ${EXEMPTION_KIND} in namespace ${exemptionNamespace}${annotation}, for at most ${days}`;
}

/** Ends a sentence with a full stop unless it already ends with one (or another end mark). */
function sentence(text: string): string {
  const t = text.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/** True when `path` occurs in `text` as a whole path (not followed by more of a path). */
function mentions(text: string, path: string): boolean {
  for (let at = text.indexOf(path); at >= 0; at = text.indexOf(path, at + 1)) {
    if (!/^(\w|\.\w|\[)/.test(text.slice(at + path.length))) return true;
  }
  return false;
}

/**
 * True when the message already points at the field: it names the path, or a parent of it below
 * the top-level key (`spec.http[0].fault.abort` for `spec.http[0].fault.abort.percentage`), or the
 * whole path without its `spec.` (`jwtRules[0].forwardOriginalToken`).
 */
function namesField(message: string, field: string): boolean {
  if (field.startsWith('spec.') && mentions(message, field.slice('spec.'.length))) return true;
  let path = field;
  while (/[.[]/.test(path)) {
    if (mentions(message, path)) return true;
    const parent = path.replace(/(\.[^.[]*|\[[^\]]*\])$/, '');
    if (parent === path) return false;
    path = parent;
  }
  return false;
}

/** The first sentence of a finding: `[rule-id IST0101] message (field).` */
function headline(f: Finding): string {
  const code = f.istioCode ? ` ${f.istioCode}` : '';
  const field = f.field && !namesField(f.message, f.field) ? ` (${f.field})` : '';
  return `[${f.id}${code}] ${sentence(`${f.message}${field}`)}`;
}

/** The short form, for when the full lines would not fit: the headline and the docs anchor. */
export function formatFindingShort(f: Finding): string {
  return printable(`${headline(f)} See ${f.docs ?? docsAnchor(f.id)}`);
}

/**
 * Runes of response warnings meshguard's validating webhook spends at most in full form. The API
 * server keeps 4096 runes of warnings per request (the mutating webhook's count too) and beyond
 * that cuts every warning to 256 runes, mid-sentence.
 */
export const WARNING_BUDGET_RUNES = 3072;

/** One warning per finding: in full form, or all in short form when the full ones exceed the budget. */
export function warningLines(findings: readonly Finding[]): string[] {
  const full = findings.map(formatFinding);
  const runes = full.reduce((n, line) => n + [...line].length, 0);
  return runes <= WARNING_BUDGET_RUNES ? full : findings.map(formatFindingShort);
}

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Control characters shown escaped (`\n`, `\u0007`), so a finding stays one line whatever the
 * object's strings hold: the API server drops a warning with a non-printable character.
 */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The one-line rendering of a finding. */
export function formatFinding(f: Finding): string {
  const parts = [headline(f)];
  if (f.fix) parts.push(`Fix: ${sentence(f.fix)}`);
  if (f.exempted) parts.push(`Exempted: ${sentence(f.exempted)}`);
  else if (f.exemptHow || f.exemptionNote) parts.push(`Exempt: ${sentence([f.exemptHow, f.exemptionNote].filter(Boolean).join('; '))}`);
  parts.push(`See ${f.docs ?? docsAnchor(f.id)}`);
  return printable(parts.join(' '));
}

function describe(subject: Subject): string {
  const where = subject.namespace ? `${subject.namespace}/${subject.name ?? ''}` : (subject.name ?? '');
  return where ? `${subject.kind} ${where}` : subject.kind;
}

/**
 * The status message of a denial: the finding itself when there is one; with several, a header
 * (`2 meshguard rules denied VirtualService shop/reviews:`) and one finding per line, so kubectl's
 * output stays one line per finding.
 */
export function denialMessage(denials: readonly Finding[], subject?: Subject): string {
  const lines = denials.map(formatFinding);
  if (lines.length === 1) return lines[0] as string;
  const rules = new Set(denials.map((d) => d.id)).size;
  const what = subject ? printable(describe(subject)) : 'the request';
  return [`${rules} meshguard rule${rules === 1 ? '' : 's'} denied ${what}:`, ...lines].join('\n');
}
