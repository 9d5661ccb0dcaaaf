/**
 * Host names as Istio resolves them (the same answers as `istio.fqdn`, `istio.host_namespace` and
 * `istio.host_matches` in Rego; policies/lib/testdata/mesh/hosts/data.json is the table both run).
 *
 * Istio's ResolveShortnameToFQDN expands only names without a dot: `reviews` in namespace `shop`
 * is `reviews.shop.svc.<domain>`. Every name with a dot is taken as written, so `reviews.prod`
 * is NOT `reviews.prod.svc.<domain>` for Istio (Kubernetes DNS search paths do not apply to Envoy
 * routing), and meshguard follows Istio. `*` and IP addresses are left alone.
 */
import { isIP } from 'node:net';

/** Resolves a host as Istio does: a short name is expanded into the object's namespace. */
export function resolveHost(host: string, namespace: string, clusterDomain: string): string {
  if (host === '' || host === '*' || host.includes('.') || isIP(host) !== 0) return host;
  return `${host}.${namespace}.svc.${clusterDomain}`;
}

/** The namespace of a cluster-local service host (`<name>.<ns>.svc.<domain>`), else undefined. */
export function hostNamespace(host: string, namespace: string, clusterDomain: string): string | undefined {
  const full = resolveHost(host, namespace, clusterDomain);
  const suffix = `.svc.${clusterDomain}`;
  if (!full.endsWith(suffix)) return undefined;
  const labels = full.slice(0, -suffix.length).split('.');
  return labels.length >= 2 ? labels[labels.length - 1] : undefined;
}

/** Istio's host.Name.Matches: the names overlap (a wildcard covers every name under it; `*` covers all). */
export function hostMatches(a: string, b: string): boolean {
  const aw = a.startsWith('*');
  const bw = b.startsWith('*');
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}
