import type { KubeObject } from '../inventory/objects.js';
import {
  expiryProblem, matchesObject, parseAnnotationGrant, selectorMatches,
  type ExemptionSource, type LabelSelector, type ResourceGrant,
} from './exemption-grants.js';

export { selectorMatches, type LabelSelector } from './exemption-grants.js';

/** One exemption entry of the org config. */
export interface ExemptionEntry {
  namespaces?: string[];
  selector?: LabelSelector;
  /** Rule ids; absent means every rule. */
  rules?: string[];
}

/** Who may grant exemptions and enforcement overrides by writing metadata (request.userInfo). */
export interface Granters {
  users: string[];
  groups: string[];
}

/** The exemption model of the org config, parsed and validated once (src/org-config.ts). */
export interface ExemptionConfig {
  annotation: string;
  entries: ExemptionEntry[];
  granters: Granters;
  /**
   * Users that create objects from templates (Kubernetes' workload controllers): an exemption
   * annotation they write was copied from a template whose writing was checked.
   */
  workloadControllers: string[];
  /** Longest time from now to an exemption's `expires`, in days. */
  horizonDays: number;
  /** Rules no annotation or Exemption object can exempt (`rules.<id>.locked`). */
  locked: ReadonlySet<string>;
  /** Namespace label that overrides enforcement (`enforcement.namespaceLabel`). */
  namespaceLabel: string;
}

/** An exemption that applies, as logs, metrics, reports and auditAnnotations show it. */
export interface HonouredExemption {
  source: ExemptionSource;
  /** Human-readable reason, e.g. `exempt until 2026-12-31 (owner team-a@example.com)`. */
  reason: string;
  owner?: string;
  expires?: string;
  /** `namespace/name` of the Exemption object (source resource). */
  name?: string;
}

/** The verdict of exemptions for one rule on one object. */
export type ExemptionVerdict = { exempt: true; exemption: HonouredExemption } | { exempt: false; note?: string };

/** The object a verdict is about and what may exempt it. */
export interface VerdictTarget {
  object: KubeObject | undefined;
  kind: string;
  namespace: string;
  now: Date;
  /** False when the request that wrote the annotation may not grant it (see authorization.ts). */
  honourAnnotation: boolean;
  /** Well-formed Exemption objects of meshguard's namespace. */
  resources: readonly ResourceGrant[];
}

/**
 * Decides, per rule, whether an object is exempt, in this order: an org-config entry (namespace
 * and/or label selector; the org config also defines the locks, so its entries apply to locked
 * rules too), an Exemption object of meshguard's namespace, the object's exemption annotation (only
 * when `honourAnnotation`). Exemption objects and annotations never exempt a locked rule, and
 * count only from now until their expiry, which must lie within the horizon.
 */
export class Exemptions {
  constructor(readonly config: ExemptionConfig) {}

  verdict(ruleId: string, target: VerdictTarget): ExemptionVerdict {
    const fromConfig = this.configVerdict(ruleId, target);
    if (fromConfig) return fromConfig;
    const notes: string[] = [];
    const locked = this.config.locked.has(ruleId);
    for (const grant of target.resources) {
      if (!grant.rules.includes(ruleId) || !matchesObject(grant.match, target)) continue;
      if (locked) {
        notes.push(`Exemption ${grant.name} ignored: rule ${ruleId} is locked`);
        continue;
      }
      const problem = expiryProblem(grant, target.now, this.config.horizonDays);
      if (problem) {
        notes.push(`Exemption ${grant.name} ignored: ${problem}`);
        continue;
      }
      const reason = `exempt by Exemption ${grant.name} until ${grant.expires} (owner ${grant.owner})`;
      return { exempt: true, exemption: { source: 'resource', reason, owner: grant.owner, expires: grant.expires, name: grant.name } };
    }
    const annotation = this.annotationVerdict(ruleId, target, locked);
    if (annotation.exempt) return annotation;
    if (annotation.note) notes.push(annotation.note);
    return notes.length > 0 ? { exempt: false, note: notes.join('; ') } : { exempt: false };
  }

  private configVerdict(ruleId: string, target: VerdictTarget): ExemptionVerdict | undefined {
    const labels = target.object?.metadata?.labels ?? {};
    for (const entry of this.config.entries) {
      if (entry.rules && !entry.rules.includes(ruleId)) continue;
      if (entry.namespaces && !entry.namespaces.includes(target.namespace)) continue;
      if (entry.selector && !selectorMatches(entry.selector, labels)) continue;
      if (!entry.namespaces && !entry.selector) continue;
      const by = entry.namespaces ? `namespace ${target.namespace}` : 'label selector';
      return { exempt: true, exemption: { source: 'org-config', reason: `exempt by org config (${by})` } };
    }
    return undefined;
  }

  private annotationVerdict(ruleId: string, target: VerdictTarget, locked: boolean): ExemptionVerdict {
    const key = this.config.annotation;
    const raw = target.object?.metadata?.annotations?.[key];
    if (raw === undefined) return { exempt: false };
    const grant = parseAnnotationGrant(raw);
    if (typeof grant === 'string') return { exempt: false, note: `${key} ignored: ${grant}` };
    if (!grant.rules.includes(ruleId)) return { exempt: false };
    if (locked) return { exempt: false, note: `${key} ignored: rule ${ruleId} is locked` };
    if (!target.honourAnnotation) return { exempt: false, note: `${key} ignored: written by a user who may not grant exemptions` };
    const problem = expiryProblem(grant, target.now, this.config.horizonDays);
    if (problem) return { exempt: false, note: `${key} ignored: ${problem}` };
    const reason = `exempt until ${grant.expires} (owner ${grant.owner})`;
    return { exempt: true, exemption: { source: 'annotation', reason, owner: grant.owner, expires: grant.expires } };
  }
}
