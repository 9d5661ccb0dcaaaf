import type { KubeObject } from '../inventory/objects.js';
import { EXEMPTION_GROUP, EXEMPTION_KIND } from '../inventory/kinds.js';
import { isRecord } from '../inventory/objects.js';
import { selects, type LabelSelector } from '../mesh/selector.js';

export { EXEMPTION_GROUP, EXEMPTION_KIND } from '../inventory/kinds.js';
/** Namespace whose Exemption objects are honoured when the setting `exemptionNamespace` is not set. */
export const DEFAULT_EXEMPTION_NAMESPACE = 'meshguard-system';

/** Where an honoured exemption came from (the `source` label of meshguard_exemptions_honoured_total). */
export type ExemptionSource = 'org-config' | 'annotation' | 'resource';

export type { LabelSelector } from '../mesh/selector.js';

/** What an annotation or an Exemption object grants: rule ids, who owns it and until when. */
export interface Grant {
  rules: string[];
  owner: string;
  /** YYYY-MM-DD, valid until the end of that day (UTC). */
  expires: string;
  reason?: string;
}

/** The objects an Exemption resource applies to; every given field must match (absent = any). */
export interface ExemptionMatch {
  namespaces?: string[];
  kinds?: string[];
  names?: string[];
  selector?: LabelSelector;
}

/** A parsed Exemption object. */
export interface ResourceGrant extends Grant {
  /** `namespace/name` of the Exemption object. */
  name: string;
  match: ExemptionMatch;
}

/** What limits a grant: locked rules, the horizon, and (when known) the rule ids that exist. */
export interface GrantLimits {
  locked: ReadonlySet<string>;
  horizonDays: number;
  knownRules?: ReadonlySet<string>;
}

/** True when the labels satisfy the selector (the one mesh model's {@link selects}). */
export const selectorMatches = selects;

function parseGrantFields(value: Record<string, unknown>): Grant | string {
  const { rules, owner, expires, reason } = value;
  if (!Array.isArray(rules) || rules.length === 0 || !rules.every((r) => typeof r === 'string' && r !== '')) return '"rules" must list rule ids';
  if (typeof owner !== 'string' || owner.trim() === '') return '"owner" is required';
  if (typeof expires !== 'string') return '"expires" is required';
  if (reason !== undefined && typeof reason !== 'string') return '"reason" must be a string';
  return { rules: rules as string[], owner, expires, ...(reason ? { reason } : {}) };
}

/** Parses the exemption annotation's JSON; a string is the reason it is unusable. */
export function parseAnnotationGrant(raw: string): Grant | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'not JSON';
  }
  if (!isRecord(value)) return 'not a JSON object';
  return parseGrantFields(value);
}

function stringList(value: unknown, field: string): string[] | string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return `spec.match.${field} must be a list of strings`;
  return value as string[];
}

function parseMatch(value: unknown): ExemptionMatch | string {
  if (!isRecord(value)) return 'spec.match is required';
  const match: ExemptionMatch = {};
  for (const field of ['namespaces', 'kinds', 'names'] as const) {
    const list = stringList(value[field], field);
    if (typeof list === 'string') return list;
    if (list) match[field] = list;
  }
  if (value.selector !== undefined) {
    if (!isRecord(value.selector)) return 'spec.match.selector must be a label selector';
    match.selector = value.selector as LabelSelector;
  }
  if (!match.namespaces && !match.kinds && !match.names && !match.selector) return 'spec.match needs namespaces, kinds, names or selector';
  return match;
}

/** Parses an Exemption object; a string is the reason it is unusable. */
export function parseExemptionResource(object: KubeObject): ResourceGrant | string {
  const spec = object.spec;
  if (!isRecord(spec)) return 'spec is required';
  const grant = parseGrantFields(spec);
  if (typeof grant === 'string') return grant.replace(/^"(\w+)"/, 'spec.$1');
  if (!grant.reason) return 'spec.reason is required';
  const match = parseMatch(spec.match);
  if (typeof match === 'string') return match;
  return { ...grant, name: `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`, match };
}

/** End of the expiry day in ms since the epoch, or undefined when `expires` is not YYYY-MM-DD. */
export function expiryTime(expires: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(expires)) return undefined;
  const t = Date.parse(`${expires}T23:59:59.999Z`);
  // Date.parse rolls 2026-02-30 over to March: only a date that round-trips is one.
  return Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== expires ? undefined : t;
}

/** The last day an exemption may run to, as YYYY-MM-DD. */
export function horizonDate(now: Date, horizonDays: number): string {
  return new Date(now.getTime() + horizonDays * 86_400_000).toISOString().slice(0, 10);
}

/** Why the expiry makes a grant unusable now, or undefined when it is within [now, horizon]. */
export function expiryProblem(grant: Grant, now: Date, horizonDays: number): string | undefined {
  const end = expiryTime(grant.expires);
  if (end === undefined) return `expires "${grant.expires}" is not a date (YYYY-MM-DD)`;
  if (now.getTime() > end) return `the exemption owned by ${grant.owner} expired on ${grant.expires}`;
  const last = horizonDate(now, horizonDays);
  if (grant.expires > last) return `expires ${grant.expires} is beyond the ${horizonDays}-day horizon (at most ${last})`;
  return undefined;
}

/** Every reason a grant may not be written: unknown or locked rules, a bad or too distant expiry. */
export function grantProblems(grant: Grant, limits: GrantLimits, now: Date): string[] {
  const problems: string[] = [];
  const unknown = limits.knownRules ? grant.rules.filter((r) => !limits.knownRules?.has(r)) : [];
  if (unknown.length > 0) problems.push(`unknown rule ${unknown.join(', ')}`);
  const locked = grant.rules.filter((r) => limits.locked.has(r));
  if (locked.length > 0) problems.push(`rule ${locked.join(', ')} is locked and cannot be exempted`);
  const expiry = expiryProblem(grant, now, limits.horizonDays);
  if (expiry) problems.push(expiry);
  return problems;
}

/** True when an Exemption's match selects the object (kind, namespace and name as admitted). */
export function matchesObject(match: ExemptionMatch, target: { kind: string; namespace: string; object: KubeObject | undefined }): boolean {
  const name = target.object?.metadata?.name ?? '';
  if (match.kinds && !match.kinds.includes(target.kind)) return false;
  if (match.namespaces && !match.namespaces.includes(target.namespace)) return false;
  if (match.names && !match.names.includes(name)) return false;
  if (match.selector && !selectorMatches(match.selector, target.object?.metadata?.labels ?? {})) return false;
  return true;
}

/** True for an object of meshguard's Exemption kind (any version of its group). */
export function isExemptionObject(o: KubeObject | undefined | null): boolean {
  return o?.kind === EXEMPTION_KIND && (o.apiVersion ?? '').startsWith(`${EXEMPTION_GROUP}/`);
}

/** The usable Exemption objects among `objects`: in `namespace`, well-formed (malformed ones are skipped). */
export function resourceGrants(objects: readonly KubeObject[], namespace: string): ResourceGrant[] {
  const out: ResourceGrant[] = [];
  for (const o of objects) {
    if (!isExemptionObject(o) || o.metadata?.namespace !== namespace) continue;
    const parsed = parseExemptionResource(o);
    if (typeof parsed !== 'string') out.push(parsed);
  }
  return out;
}
