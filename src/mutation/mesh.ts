/**
 * Mesh facts the mutators share: whether Istio will inject a pod, whether a namespace is in the
 * mesh, and what a DestinationRule host refers to.
 */
import { isRecord, type KubeObject } from '../inventory/objects.js';
import { hostMatches, hostNamespace, resolveHost } from '../mesh/hosts.js';
import { dataplane, injection } from '../mesh/injection.js';
import type { LabelMatch } from './config.js';
import type { MutationEnv } from './types.js';

/** True when any entry matches: the key is present and, if the entry has a value, equal to it. */
export function matchesAnyLabel(labels: Record<string, string> | undefined, matches: readonly LabelMatch[]): boolean {
  if (!labels) return false;
  return matches.some((m) => labels[m.key] !== undefined && (m.value === undefined || labels[m.key] === m.value));
}

/** Result of the injection check: `inject` and, when it is decided, why (for notes). */
export interface InjectionDecision {
  readonly inject: boolean;
  readonly reason: string;
  /** The namespace was not known, so only the pod's own switch was used. */
  readonly namespaceUnknown: boolean;
}

/**
 * Decides whether Istio will inject a sidecar into a pod (or a pod template) with the one mesh
 * model ({@link injection} in src/mesh/injection.ts: the injector's webhooks, its policy and
 * selectors from Istio's mesh config). When the namespace is unknown (no inventory, or not in it)
 * it counts as unlabelled, so only the pod's own opt-in (label) counts. A pod the model puts in
 * ambient mode ({@link dataplane}) is never injected, and the reason says so.
 */
export function injectionDecision(
  meta: Record<string, unknown>,
  spec: Record<string, unknown>,
  namespace: string,
  env: MutationEnv,
): InjectionDecision {
  const nsLabels = env.inventory?.namespaceLabels(namespace);
  const pod = { metadata: meta, spec };
  const answer = injection(pod, namespace, nsLabels, env.meshConfig?.injector);
  const unknown = nsLabels === undefined;
  const ambient = !answer.inject && dataplane(pod, namespace, nsLabels, env.meshConfig?.injector) === 'ambient';
  const reason = ambient ? 'the pod runs in ambient mode (ztunnel), without a sidecar' : unknown && answer.inject ? `namespace ${namespace} unknown; ${answer.reason}` : answer.reason;
  return { inject: answer.inject, reason, namespaceUnknown: unknown };
}

/** Whether a namespace is in the mesh: `unknown` when there is no inventory or it lacks the namespace. */
export function namespaceMembership(namespace: string, env: MutationEnv): 'in' | 'out' | 'unknown' {
  const labels = env.inventory?.namespaceLabels(namespace);
  if (labels === undefined) return 'unknown';
  return matchesAnyLabel(labels, env.config.mesh.meshLabels) ? 'in' : 'out';
}

/** What a host names: a wildcard, something outside the cluster, or a cluster-local service. */
export type HostClass =
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'external'; readonly fqdn: string }
  | { readonly kind: 'cluster'; readonly fqdn: string; readonly namespace: string };

/**
 * Classifies a DestinationRule host as Istio resolves it ({@link resolveHost}): a short name is
 * expanded into the object's namespace, every name with a dot is taken as written (Istio reads
 * `reviews.prod` as an external name, not as `reviews.prod.svc.<domain>`). A cluster-local name
 * ends in `.svc.<domain>`; its namespace is the label before `.svc`. IP addresses and every other
 * name are external; any `*` makes it a wildcard.
 */
export function classifyHost(host: string, objectNamespace: string, clusterDomain: string): HostClass {
  const name = host.trim();
  if (name.includes('*')) return { kind: 'wildcard' };
  const fqdn = resolveHost(name, objectNamespace, clusterDomain);
  const namespace = hostNamespace(name, objectNamespace, clusterDomain);
  return namespace === undefined ? { kind: 'external', fqdn } : { kind: 'cluster', fqdn, namespace };
}

/** Istio host matching ({@link hostMatches}): `*` matches everything, `*.example.com` any name under it. */
export const hostPatternMatches = hostMatches;

/** The first ServiceEntry (any namespace) declaring one of the names, or undefined. */
export function findServiceEntry(env: MutationEnv, names: readonly string[]): KubeObject | undefined {
  for (const se of env.inventory?.list('ServiceEntry') ?? []) {
    const hosts = isRecord(se.spec) && Array.isArray(se.spec.hosts) ? se.spec.hosts : [];
    if (hosts.some((p) => typeof p === 'string' && names.some((n) => hostPatternMatches(p, n)))) return se;
  }
  return undefined;
}
