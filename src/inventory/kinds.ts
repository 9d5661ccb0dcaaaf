/** meshguard's own resource kinds, as the inventory, the informers and the policy side name them. */

import type { KubeObject } from './objects.js';

/** API group of meshguard's Exemption resource. */
export const EXEMPTION_GROUP = 'policy.meshguard.io';
/** Kind of meshguard's Exemption resource (namespaced, honoured only in meshguard's namespace). */
export const EXEMPTION_KIND = 'Exemption';

/** API group of the Kubernetes Gateway API (whose Gateway shares its kind name with Istio's). */
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
/**
 * Inventory kind of Kubernetes Gateways (`gateway.networking.k8s.io` Gateway), kept apart from
 * Istio Gateways (`Gateway`) so that the two kinds of Gateway with the same namespace and name
 * never replace each other (`data.meshguard.inventory.KubernetesGateway` on the policy side).
 */
export const KUBERNETES_GATEWAY_KIND = 'KubernetesGateway';

/**
 * The Gateway API kinds besides the Gateway that meshguard reads, admits and audits (their inventory
 * kind is their own kind: no Istio kind shares these names). GatewayClass is cluster-scoped.
 */
export const GATEWAY_API_KINDS = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'ReferenceGrant', 'GatewayClass', 'ListenerSet'] as const;

/**
 * The inventory kind an object is stored under: its kind, except a Gateway of the Gateway API,
 * which is a {@link KUBERNETES_GATEWAY_KIND}. Undefined when the object has no kind.
 */
export function inventoryKind(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): string | undefined {
  if (obj.kind === 'Gateway' && (obj.apiVersion ?? '').startsWith(`${GATEWAY_API_GROUP}/`)) return KUBERNETES_GATEWAY_KIND;
  return obj.kind;
}
