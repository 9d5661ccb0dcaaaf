/**
 * Mesh facts the mutators share: whether Istio will inject a pod, whether a namespace is in the
 * mesh, and what a DestinationRule host refers to.
 */
import { isIP } from 'node:net';
import { isRecord, type KubeObject } from '../kube/objects.js';
import { ISTIO_INJECT, ISTIO_INJECTION_LABEL, ISTIO_REV_LABEL } from './annotations.js';
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

type PodSwitch = 'on' | 'off' | 'unset';

function stringMap(v: unknown): Record<string, string> {
  return isRecord(v) ? (v as Record<string, string>) : {};
}

/** Istio's reading of `sidecar.istio.io/inject`: the label wins over the annotation; y/yes/true/on enable. */
function podSwitch(meta: Record<string, unknown>): PodSwitch {
  const value = stringMap(meta.labels)[ISTIO_INJECT] ?? stringMap(meta.annotations)[ISTIO_INJECT];
  if (value === undefined || value === '') return 'unset';
  return ['y', 'yes', 'true', 'on'].includes(String(value).toLowerCase()) ? 'on' : 'off';
}

/**
 * Decides whether Istio will inject a sidecar into a pod (or a pod template), following Istio's
 * webhook selectors and `injectRequired`:
 * - `hostNetwork: true` pods are never injected;
 * - the pod's `sidecar.istio.io/inject` label wins over the (deprecated) annotation of the same
 *   name; `y`, `yes`, `true`, `on` opt in, any other value opts out;
 * - a namespace with an `istio-injection` label other than `enabled` is never injected;
 * - a namespace matching `mesh.injectionLabels` injects every pod that does not opt out;
 * - any other namespace (not in the mesh) injects only pods that opt in themselves (the switch,
 *   or a pod `istio.io/rev` label), as Istio's object-selector webhooks do;
 * - when the namespace is unknown (no inventory, or not in it), only the pod's own opt-in counts.
 */
export function injectionDecision(
  meta: Record<string, unknown>,
  spec: Record<string, unknown>,
  namespace: string,
  env: MutationEnv,
): InjectionDecision {
  const decide = (inject: boolean, reason: string, namespaceUnknown = false): InjectionDecision => ({ inject, reason, namespaceUnknown });
  if (spec.hostNetwork === true) return decide(false, 'hostNetwork pods get no sidecar');
  const sw = podSwitch(meta);
  const optIn = sw === 'on' || (sw === 'unset' && stringMap(meta.labels)[ISTIO_REV_LABEL] !== undefined);
  const nsLabels = env.inventory?.namespaceLabels(namespace);
  if (nsLabels === undefined) {
    return optIn
      ? decide(true, `namespace ${namespace} unknown; the pod opts in itself`, true)
      : decide(false, `namespace ${namespace} unknown and the pod does not opt in with ${ISTIO_INJECT}`, true);
  }
  const injectionLabel = nsLabels[ISTIO_INJECTION_LABEL];
  if (injectionLabel !== undefined && injectionLabel !== 'enabled') {
    return decide(false, `namespace ${namespace} has ${ISTIO_INJECTION_LABEL}=${injectionLabel}`);
  }
  if (sw === 'off') return decide(false, `the pod opts out with ${ISTIO_INJECT}`);
  if (matchesAnyLabel(nsLabels, env.config.mesh.injectionLabels)) return decide(true, `namespace ${namespace} injects sidecars`);
  if (optIn) return decide(true, `the pod opts in itself`);
  return decide(false, `namespace ${namespace} is not in the mesh`);
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
 * Classifies a DestinationRule host. Short names are expanded the Kubernetes DNS way: `reviews`
 * → `reviews.<objectNamespace>.svc.<domain>`, `reviews.prod` → `reviews.prod.svc.<domain>`,
 * `reviews.prod.svc` → `reviews.prod.svc.<domain>`. A cluster-local name ends in `.svc.<domain>`
 * after expansion; its namespace is the label before `.svc`. IP addresses and every other name
 * are external; any `*` makes it a wildcard.
 */
export function classifyHost(host: string, objectNamespace: string, clusterDomain: string): HostClass {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  if (name.includes('*')) return { kind: 'wildcard' };
  if (name === '' || isIP(name) !== 0) return { kind: 'external', fqdn: name };
  const suffix = `.svc.${clusterDomain}`;
  let fqdn = name;
  const parts = name.split('.');
  if (parts.length === 1) fqdn = `${name}.${objectNamespace}${suffix}`;
  else if (parts.length === 2 || (parts.length === 3 && parts[2] === 'svc')) fqdn = `${parts[0]}.${parts[1]}${suffix}`;
  if (!fqdn.endsWith(suffix)) return { kind: 'external', fqdn };
  const prefix = fqdn.slice(0, -suffix.length).split('.');
  const namespace = prefix[prefix.length - 1];
  if (prefix.length < 2 || !namespace) return { kind: 'external', fqdn };
  return { kind: 'cluster', fqdn, namespace };
}

/** Istio host matching: `*` matches everything, `*.example.com` any name under example.com. */
export function hostPatternMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) return h.endsWith(p.slice(1));
  return p === h;
}

/** The first ServiceEntry (any namespace) declaring one of the names, or undefined. */
export function findServiceEntry(env: MutationEnv, names: readonly string[]): KubeObject | undefined {
  for (const se of env.inventory?.list('ServiceEntry') ?? []) {
    const hosts = isRecord(se.spec) && Array.isArray(se.spec.hosts) ? se.spec.hosts : [];
    if (hosts.some((p) => typeof p === 'string' && names.some((n) => hostPatternMatches(p, n)))) return se;
  }
  return undefined;
}
