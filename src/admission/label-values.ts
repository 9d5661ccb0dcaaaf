/**
 * Closed sets for metric labels and bounds for log fields: a request's fields are written by
 * whoever sends it, and a label value or log field taken from it as is lets one client grow
 * /metrics, the heap and the logs without limit.
 */
import { TEMPLATE_PATHS } from '../mutation/pod-targets.js';
import type { Enforcement, RuleCatalog } from '../policy/types.js';
import { AUTHORIZATION_RULE_ID } from '../policy/authorization.js';
import { EXEMPTION_KIND } from '../policy/exemption-grants.js';

/** The label value for anything outside a closed set. */
export const OTHER = 'other';

/** Longest logged value of an untrusted field (a Kubernetes name's limit). */
export const FIELD_MAX = 253;

/** The kinds the built-in mutators change (Pods, the workloads with pod templates, three Istio kinds), and meshguard's own Exemption. */
export const MUTATED_KINDS: readonly string[] = ['Pod', ...Object.keys(TEMPLATE_PATHS), 'PeerAuthentication', 'DestinationRule', 'Telemetry', EXEMPTION_KIND];

const ENFORCEMENTS: ReadonlySet<string> = new Set<Enforcement>(['deny', 'warn', 'dryrun']);
const known = new WeakMap<RuleCatalog, ReadonlySet<string>>();

/** The kinds meshguard knows: those the serving catalog's rules judge, and those it mutates. */
export function knownKinds(catalog: RuleCatalog | undefined): ReadonlySet<string> {
  if (!catalog) return new Set(MUTATED_KINDS);
  let kinds = known.get(catalog);
  if (!kinds) {
    kinds = new Set([...MUTATED_KINDS, ...Object.values(catalog).flatMap((rule) => rule.kinds ?? [])]);
    known.set(catalog, kinds);
  }
  return kinds;
}

/** A kind as a metric label: itself when meshguard knows it, else `other`. */
export function kindLabel(kind: string, catalog: RuleCatalog | undefined): string {
  return knownKinds(catalog).has(kind) ? kind : OTHER;
}

/** A rule id as a metric label: itself when the serving catalog has it, else `other`. */
export function ruleLabel(id: string, catalog: RuleCatalog | undefined): string {
  if (id === AUTHORIZATION_RULE_ID) return id;
  return catalog && Object.hasOwn(catalog, id) ? id : OTHER;
}

/** An enforcement as a metric label: deny, warn or dryrun, else `other`. */
export function enforcementLabel(enforcement: string): string {
  return ENFORCEMENTS.has(enforcement) ? enforcement : OTHER;
}

/** An untrusted string for a log line: at most FIELD_MAX characters, then a marker with the length cut. */
export function truncateField(value: string, max = FIELD_MAX): string {
  return value.length <= max ? value : `${value.slice(0, max)}…[${value.length - max} more characters]`;
}
