import type { AdmissionRequest } from '../admission/types.js';
import { isRecord, type KubeObject } from '../inventory/objects.js';
import {
  EXEMPTION_GROUP, grantProblems, isExemptionObject, parseAnnotationGrant, parseExemptionResource, type GrantLimits,
} from './exemption-grants.js';
import type { ExemptionConfig, Granters } from './exemptions.js';
import type { Violation } from './types.js';

/**
 * Id of the built-in check that guards exemption metadata. It runs in TypeScript with any bundle,
 * always denies, and is never exempt.
 */
export const AUTHORIZATION_RULE_ID = 'meshguard-exemption-authorization';

const OVERRIDES = new Set(['deny', 'warn', 'dryrun']);

/** What the check needs besides the request. */
export interface AuthorizationContext {
  exemptions: ExemptionConfig;
  /** The only namespace whose Exemption objects are honoured. */
  exemptionNamespace: string;
  /** Rule ids of the serving bundle (an exemption naming another id is refused). */
  knownRules: ReadonlySet<string>;
  now: Date;
}

/** The outcome: denials to add to the decision, and whether the object's annotation may count. */
export interface AuthorizationResult {
  violations: Violation[];
  /** False when this request writes the exemption annotation without being allowed to. */
  honourAnnotation: boolean;
}

/** True when the requesting user, or one of its groups, is a granter. */
export function mayGrant(user: AdmissionRequest['userInfo'], granters: Granters): boolean {
  if (user?.username !== undefined && granters.users.includes(user.username)) return true;
  return (user?.groups ?? []).some((g) => granters.groups.includes(g));
}

function describeObject(kind: string, object: KubeObject | undefined): string {
  const meta = object?.metadata;
  const name = meta?.name ?? meta?.generateName ?? '';
  return `${kind} ${meta?.namespace ? `${meta.namespace}/${name}` : name}`;
}

function deny(message: string, field: string): Violation {
  return { id: AUTHORIZATION_RULE_ID, message, enforcement: 'deny', details: { field } };
}

/** Where an object carries annotations that end up on objects meshguard judges (pod templates). */
const ANNOTATION_SITES: ReadonlyArray<readonly string[]> = [
  ['metadata'],
  ['spec', 'template', 'metadata'],
  ['spec', 'jobTemplate', 'metadata'],
  ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
];

function annotationAt(object: KubeObject | undefined, site: readonly string[], key: string): string | undefined {
  let node: unknown = object;
  for (const step of site) node = isRecord(node) ? node[step] : undefined;
  const annotations = isRecord(node) ? node.annotations : undefined;
  const value = isRecord(annotations) ? annotations[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * Checks exemption metadata when it is written (CREATE and UPDATE): adding or changing the
 * exemption annotation (on the object or in a pod or job template it carries), or a Namespace's
 * enforcement label, needs a user or group listed in `exemptions.granters`; what a granter writes
 * must name known, unlocked rules and expire within the horizon. The workload controllers listed
 * in `exemptions.workloadControllers` may write it too: they copy it from a template whose writing
 * was checked here. Exemption objects are validated the same way (RBAC decides who may write them)
 * and must live in meshguard's namespace. An annotation unchanged from `oldObject` passed this
 * check when it was written and still counts.
 */
export function authorizeRequest(request: AdmissionRequest, ctx: AuthorizationContext): AuthorizationResult {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return { violations: [], honourAnnotation: true };
  const object = request.object ?? undefined;
  const old = request.operation === 'UPDATE' ? (request.oldObject ?? undefined) : undefined;
  const kind = request.kind.kind;
  const granter = mayGrant(request.userInfo, ctx.exemptions.granters);
  const copier = ctx.exemptions.workloadControllers.includes(request.userInfo?.username ?? '');
  const user = `user "${request.userInfo?.username ?? ''}"`;
  const limits: GrantLimits = { locked: ctx.exemptions.locked, horizonDays: ctx.exemptions.horizonDays, knownRules: ctx.knownRules };
  const violations: Violation[] = [];
  const key = ctx.exemptions.annotation;
  let honourAnnotation = true;
  for (const site of ANNOTATION_SITES) {
    const value = annotationAt(object, site, key);
    if (value === undefined || value === annotationAt(old, site, key)) continue;
    const field = `${site.join('.')}.annotations.${key}`;
    const where = `annotation ${key} ${site.length > 1 ? `(${site.join('.')}) ` : ''}on ${describeObject(kind, object)}`;
    if (!granter && !copier) {
      if (site.length === 1) honourAnnotation = false;
      violations.push(deny(`${where}: ${user} may not grant exemptions (org config exemptions.granters); remove the annotation, or ask the platform team for an Exemption (${EXEMPTION_GROUP}) in namespace ${ctx.exemptionNamespace}`, field));
    } else if (granter) {
      const grant = parseAnnotationGrant(value);
      const problems = typeof grant === 'string' ? [grant] : grantProblems(grant, limits, ctx.now);
      if (problems.length > 0) violations.push(deny(`${where} is refused: ${problems.join('; ')}`, field));
    }
  }
  if (kind === 'Namespace' && request.kind.group === '') violations.push(...labelProblems(object, old, granter, user, ctx.exemptions));
  if (object && isExemptionObject(object)) {
    // The API server sets the namespace from the request path; judge it even if the body left it out.
    const placed = object.metadata?.namespace ? object : { ...object, metadata: { ...object.metadata, namespace: request.namespace ?? '' } };
    violations.push(...exemptionObjectViolations(placed, old, ctx));
  }
  return { violations, honourAnnotation };
}

function labelProblems(object: KubeObject | undefined, old: KubeObject | undefined, granter: boolean, user: string, config: ExemptionConfig): Violation[] {
  const label = config.namespaceLabel;
  const value = object?.metadata?.labels?.[label];
  if (value === undefined || value === old?.metadata?.labels?.[label]) return [];
  const where = `label ${label} on ${describeObject('Namespace', object)}`;
  const field = `metadata.labels.${label}`;
  if (!granter) return [deny(`${where}: ${user} may not override rule enforcement (org config exemptions.granters); remove the label, or ask the platform team to set it`, field)];
  if (!OVERRIDES.has(value)) return [deny(`${where} is refused: "${value}" is not deny, warn or dryrun`, field)];
  return [];
}

/**
 * Validates an Exemption object as the webhook does (also used by `meshguard check`): it must live
 * in meshguard's namespace, be well-formed, name known unlocked rules and expire within the
 * horizon. An UPDATE that leaves spec and namespace unchanged is not judged again.
 */
export function exemptionObjectViolations(object: KubeObject, old: KubeObject | undefined, ctx: AuthorizationContext): Violation[] {
  const limits: GrantLimits = { locked: ctx.exemptions.locked, horizonDays: ctx.exemptions.horizonDays, knownRules: ctx.knownRules };
  if (old && JSON.stringify(old.spec) === JSON.stringify(object.spec) && old.metadata?.namespace === object.metadata?.namespace) return [];
  const where = `${describeObject('Exemption', object)} is refused`;
  if (object.metadata?.namespace !== ctx.exemptionNamespace) {
    return [deny(`${where}: Exemptions are honoured only in namespace ${ctx.exemptionNamespace}`, 'metadata.namespace')];
  }
  const grant = parseExemptionResource(object);
  const problems = typeof grant === 'string' ? [grant] : grantProblems(grant, limits, ctx.now);
  return problems.length > 0 ? [deny(`${where}: ${problems.join('; ')}`, 'spec')] : [];
}
