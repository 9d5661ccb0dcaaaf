import type { KubeObject } from '../kube/objects.js';
import { isRecord } from '../kube/objects.js';

/** A Kubernetes label selector (matchLabels and matchExpressions). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

/** One exemption entry of the org config. */
export interface ExemptionEntry {
  namespaces?: string[];
  selector?: LabelSelector;
  /** Rule ids; absent means every rule. */
  rules?: string[];
}

export interface ExemptionConfig {
  annotation: string;
  entries: ExemptionEntry[];
}

/** The verdict of exemptions for one rule on one object. */
export type ExemptionVerdict = { exempt: true; reason: string } | { exempt: false; note?: string };

/** True when the labels satisfy the selector (an empty selector matches everything). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    const inValues = has && (e.values ?? []).includes(value as string);
    if (e.operator === 'In' && !inValues) return false;
    if (e.operator === 'NotIn' && inValues) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

interface AnnotationExemption {
  rules: string[];
  owner: string;
  expires: string;
}

/**
 * Decides, per rule, whether an object is exempt: by an org-config entry (namespace and/or label
 * selector), or by the object's exemption annotation naming the rule, an owner and an expiry date.
 * An expired or malformed annotation exempts nothing and says why in `note`.
 */
export class Exemptions {
  constructor(private readonly config: ExemptionConfig) {}

  verdict(ruleId: string, object: KubeObject | undefined, namespace: string, now: Date): ExemptionVerdict {
    const labels = object?.metadata?.labels ?? {};
    for (const entry of this.config.entries) {
      if (entry.rules && !entry.rules.includes(ruleId)) continue;
      if (entry.namespaces && !entry.namespaces.includes(namespace)) continue;
      if (entry.selector && !selectorMatches(entry.selector, labels)) continue;
      if (!entry.namespaces && !entry.selector) continue;
      const by = entry.namespaces ? `namespace ${namespace}` : 'label selector';
      return { exempt: true, reason: `exempt by org config (${by})` };
    }
    const raw = object?.metadata?.annotations?.[this.config.annotation];
    if (raw === undefined) return { exempt: false };
    const parsed = parseAnnotation(raw);
    if (typeof parsed === 'string') return { exempt: false, note: `${this.config.annotation} ignored: ${parsed}` };
    if (!parsed.rules.includes(ruleId)) return { exempt: false };
    const expiry = endOfDay(parsed.expires);
    if (expiry === undefined) return { exempt: false, note: `${this.config.annotation} ignored: expires "${parsed.expires}" is not a date (YYYY-MM-DD)` };
    if (now.getTime() > expiry) {
      return { exempt: false, note: `exemption owned by ${parsed.owner} expired on ${parsed.expires}` };
    }
    return { exempt: true, reason: `exempt until ${parsed.expires} (owner ${parsed.owner})` };
  }
}

function parseAnnotation(raw: string): AnnotationExemption | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'not JSON';
  }
  if (!isRecord(value)) return 'not a JSON object';
  const { rules, owner, expires } = value;
  if (!Array.isArray(rules) || !rules.every((r) => typeof r === 'string') || rules.length === 0) return '"rules" must list rule ids';
  if (typeof owner !== 'string' || owner.trim() === '') return '"owner" is required';
  if (typeof expires !== 'string') return '"expires" is required';
  return { rules: rules as string[], owner, expires };
}

function endOfDay(date: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const t = Date.parse(`${date}T23:59:59.999Z`);
  return Number.isNaN(t) ? undefined : t;
}
