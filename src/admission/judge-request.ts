import { authorizeRequest } from '../policy/authorization.js';
import { honouredExemptions, judge } from '../policy/decision.js';
import { EXEMPTION_KIND, resourceGrants, type ResourceGrant } from '../policy/exemption-grants.js';
import type { Inventory } from '../inventory/inventory.js';
import type { JudgedViolation, RuleCatalog, Violation } from '../policy/types.js';
import type { RequestFields } from './log-fields.js';
import type { AdmissionServices } from './services.js';
import type { AdmissionRequest } from './types.js';

const knownRulesOf = new WeakMap<RuleCatalog, ReadonlySet<string>>();
const grantsOf = new WeakMap<Inventory, { version: number; namespace: string; grants: ResourceGrant[] }>();

/** Rule ids of a catalog, computed once per bundle. */
function knownRules(catalog: RuleCatalog): ReadonlySet<string> {
  let known = knownRulesOf.get(catalog);
  if (!known) knownRulesOf.set(catalog, (known = new Set(Object.keys(catalog))));
  return known;
}

/** The parsed Exemption objects of the namespace, parsed again only when the inventory changed. */
function grants(inventory: Inventory, namespace: string): ResourceGrant[] {
  const cached = grantsOf.get(inventory);
  if (cached && cached.version === inventory.version && cached.namespace === namespace) return cached.grants;
  const fresh = resourceGrants(inventory.list(EXEMPTION_KIND, namespace), namespace);
  grantsOf.set(inventory, { version: inventory.version, namespace, grants: fresh });
  return fresh;
}

/**
 * The validating webhook's step after evaluation: runs the built-in authorization check on the
 * request's exemption metadata, applies exemptions (org config, Exemption objects of meshguard's
 * namespace from the cluster view, the annotation when the writer may grant it) and counts every
 * honoured exemption in `meshguard_exemptions_honoured_total{rule,source}`.
 */
export function judgeRequest(s: AdmissionServices, request: AdmissionRequest, fields: RequestFields, violations: Violation[], catalog: RuleCatalog): JudgedViolation[] {
  const now = s.now?.() ?? new Date();
  const exemptions = s.policy.exemptions;
  const namespace = s.config.exemptionNamespace;
  const authz = authorizeRequest(request, { exemptions: exemptions.config, exemptionNamespace: namespace, knownRules: knownRules(catalog), now });
  const judged = judge([...violations, ...authz.violations], {
    object: request.object ?? request.oldObject ?? undefined, kind: fields.kind, namespace: fields.namespace, exemptions, catalog, now,
    honourAnnotation: authz.honourAnnotation, resources: grants(s.inventory, namespace), exemptionNamespace: namespace,
  });
  for (const e of honouredExemptions(judged)) s.metrics.exemptionsHonoured.inc({ rule: e.rule, source: e.source });
  return judged;
}
