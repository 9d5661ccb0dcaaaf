/** Kubernetes label selectors, as Kubernetes and Istio match them (the same answers as `istio.selects` in Rego). */

/** A Kubernetes LabelSelector (also the form of Istio's workload selectors). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

function expressionHolds(e: { key: string; operator: string; values?: string[] }, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, e.key);
  const inValues = has && (e.values ?? []).includes(labels[e.key] as string);
  switch (e.operator) {
    case 'In': return inValues;
    case 'NotIn': return !inValues;
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    default: return false;
  }
}

/**
 * True when the labels satisfy the selector: every `matchLabels` pair and every
 * `matchExpressions` entry (In, NotIn, Exists, DoesNotExist) holds. An empty selector selects
 * everything; an unknown operator selects nothing.
 */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (selector.matchExpressions ?? []).every((e) => expressionHolds(e, labels));
}
