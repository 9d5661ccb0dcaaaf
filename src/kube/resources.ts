import type { KubeHttp } from './client.js';
import { EXEMPTION_GROUP, EXEMPTION_KIND, GATEWAY_API_GROUP, GATEWAY_API_KINDS, KUBERNETES_GATEWAY_KIND } from '../inventory/kinds.js';
import { KubeApiError } from './client.js';
import { INJECTOR_CONFIGMAP, MESH_CONFIGMAP } from '../mesh/facts.js';

/** Where a kind lives in the API: its group, candidate versions (preferred first) and plural. */
export interface ResourceSpec {
  /** The inventory kind (what meshguard stores the objects under, names it in logs and metrics). */
  kind: string;
  /** The kind the API server names, when it differs from the inventory kind (a Gateway API Gateway). */
  apiKind?: string;
  group: string;
  /** Versions to try, preferred first; the first one the server serves is used. */
  versions: readonly string[];
  plural: string;
  namespaced: boolean;
  /** Watch and list as PartialObjectMetadata: only metadata ever reaches meshguard. */
  metadataOnly?: boolean;
  /**
   * Secrets read with their data (setting secretTlsFacts): the strip step keeps metadata plus the
   * TLS facts of the data and drops the data itself (src/kube/strip.ts).
   */
  tlsFacts?: boolean;
  /** Keep only objects of these names (the rest of the kind is dropped as it arrives). */
  names?: readonly string[];
}

/** A ResourceSpec with the version the server serves. */
export interface ServedResource extends ResourceSpec {
  version: string;
  /** `group/version`, or `v1` for the core group. */
  apiVersion: string;
  /** Collection path for every namespace, e.g. `/apis/networking.istio.io/v1/virtualservices`. */
  path: string;
}

const NET = 'networking.istio.io';
const SEC = 'security.istio.io';
const NET_VERSIONS = ['v1', 'v1beta1', 'v1alpha3'] as const;
const SEC_VERSIONS = ['v1', 'v1beta1'] as const;

/** Every kind meshguard knows how to read, by kind. */
export const RESOURCES: Readonly<Record<string, ResourceSpec>> = Object.fromEntries(([
  { kind: 'Namespace', group: '', versions: ['v1'], plural: 'namespaces', namespaced: false },
  { kind: 'Service', group: '', versions: ['v1'], plural: 'services', namespaced: true },
  { kind: 'Secret', group: '', versions: ['v1'], plural: 'secrets', namespaced: true, metadataOnly: true },
  { kind: 'ConfigMap', group: '', versions: ['v1'], plural: 'configmaps', namespaced: true, names: [MESH_CONFIGMAP, INJECTOR_CONFIGMAP] },
  { kind: 'Pod', group: '', versions: ['v1'], plural: 'pods', namespaced: true },
  { kind: 'Deployment', group: 'apps', versions: ['v1'], plural: 'deployments', namespaced: true },
  { kind: 'StatefulSet', group: 'apps', versions: ['v1'], plural: 'statefulsets', namespaced: true },
  { kind: 'DaemonSet', group: 'apps', versions: ['v1'], plural: 'daemonsets', namespaced: true },
  { kind: 'ReplicaSet', group: 'apps', versions: ['v1'], plural: 'replicasets', namespaced: true },
  { kind: 'Job', group: 'batch', versions: ['v1'], plural: 'jobs', namespaced: true },
  { kind: 'CronJob', group: 'batch', versions: ['v1'], plural: 'cronjobs', namespaced: true },
  { kind: 'VirtualService', group: NET, versions: NET_VERSIONS, plural: 'virtualservices', namespaced: true },
  { kind: 'DestinationRule', group: NET, versions: NET_VERSIONS, plural: 'destinationrules', namespaced: true },
  { kind: 'Gateway', group: NET, versions: NET_VERSIONS, plural: 'gateways', namespaced: true },
  { kind: 'ServiceEntry', group: NET, versions: NET_VERSIONS, plural: 'serviceentries', namespaced: true },
  { kind: 'Sidecar', group: NET, versions: NET_VERSIONS, plural: 'sidecars', namespaced: true },
  { kind: 'EnvoyFilter', group: NET, versions: ['v1alpha3'], plural: 'envoyfilters', namespaced: true },
  { kind: 'WorkloadEntry', group: NET, versions: NET_VERSIONS, plural: 'workloadentries', namespaced: true },
  { kind: 'WorkloadGroup', group: NET, versions: NET_VERSIONS, plural: 'workloadgroups', namespaced: true },
  { kind: 'ProxyConfig', group: NET, versions: ['v1beta1'], plural: 'proxyconfigs', namespaced: true },
  { kind: 'PeerAuthentication', group: SEC, versions: SEC_VERSIONS, plural: 'peerauthentications', namespaced: true },
  { kind: 'AuthorizationPolicy', group: SEC, versions: SEC_VERSIONS, plural: 'authorizationpolicies', namespaced: true },
  { kind: 'RequestAuthentication', group: SEC, versions: SEC_VERSIONS, plural: 'requestauthentications', namespaced: true },
  { kind: 'Telemetry', group: 'telemetry.istio.io', versions: ['v1', 'v1alpha1'], plural: 'telemetries', namespaced: true },
  { kind: 'WasmPlugin', group: 'extensions.istio.io', versions: ['v1alpha1'], plural: 'wasmplugins', namespaced: true },
  { kind: EXEMPTION_KIND, group: EXEMPTION_GROUP, versions: ['v1alpha1'], plural: 'exemptions', namespaced: true },
  { kind: KUBERNETES_GATEWAY_KIND, apiKind: 'Gateway', group: GATEWAY_API_GROUP, versions: ['v1'], plural: 'gateways', namespaced: true },
  { kind: 'HTTPRoute', group: GATEWAY_API_GROUP, versions: ['v1', 'v1beta1'], plural: 'httproutes', namespaced: true },
  { kind: 'GRPCRoute', group: GATEWAY_API_GROUP, versions: ['v1'], plural: 'grpcroutes', namespaced: true },
  // TCPRoute and TLSRoute are v1 since Gateway API v1.5; older installations serve only v1alpha2.
  { kind: 'TCPRoute', group: GATEWAY_API_GROUP, versions: ['v1', 'v1alpha2'], plural: 'tcproutes', namespaced: true },
  { kind: 'TLSRoute', group: GATEWAY_API_GROUP, versions: ['v1', 'v1alpha3', 'v1alpha2'], plural: 'tlsroutes', namespaced: true },
  { kind: 'ReferenceGrant', group: GATEWAY_API_GROUP, versions: ['v1', 'v1beta1'], plural: 'referencegrants', namespaced: true },
  { kind: 'GatewayClass', group: GATEWAY_API_GROUP, versions: ['v1', 'v1beta1'], plural: 'gatewayclasses', namespaced: false },
  { kind: 'ListenerSet', group: GATEWAY_API_GROUP, versions: ['v1'], plural: 'listenersets', namespaced: true },
] satisfies ResourceSpec[]).map((r) => [r.kind, r]));

/**
 * The kinds the webhook keeps in its Inventory (informers): what cross-resource rules and
 * mesh-aware mutators read. Must match the reads granted in charts/meshguard/templates/rbac.yaml.
 * Secrets are watched only in the namespaces of the setting secretNamespaces, and Exemptions only
 * in meshguard's own namespace, and ConfigMaps only in the Istio root namespace and only the two
 * that hold Istio's mesh config, `istio` and `istio-sidecar-injector` (see {@link watchScopes}).
 * Kubernetes Gateways (gateway.networking.k8s.io/v1) are the inventory kind KubernetesGateway; the
 * other Gateway API kinds ({@link GATEWAY_API_KINDS}) keep their names. A cluster without the
 * Gateway API CRDs does not serve them (the kinds are "not served", looked up again periodically,
 * and readiness does not wait for them).
 * Pods and ReplicaSets are left out on purpose: they are the most numerous objects of a cluster
 * and the rules that match selectors find the same labels in Deployment, StatefulSet and DaemonSet
 * pod templates.
 */
export const INVENTORY_KINDS: readonly string[] = [
  'Namespace', 'Service', 'Secret', 'Deployment', 'StatefulSet', 'DaemonSet',
  'VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'EnvoyFilter',
  'PeerAuthentication', 'AuthorizationPolicy', 'RequestAuthentication', 'Telemetry', EXEMPTION_KIND,
  'ConfigMap', KUBERNETES_GATEWAY_KIND, ...GATEWAY_API_KINDS,
];

/**
 * Kinds the cluster view watches in some namespaces only: Secrets where gateways live
 * (`secretNamespaces`; `*` = every namespace), Exemptions in `exemptionNamespace`, and Istio's
 * mesh config ConfigMaps in `istioRootNamespace`.
 */
export function watchScopes(config: { secretNamespaces: readonly string[]; exemptionNamespace: string; istioRootNamespace: string }): Record<string, readonly string[]> {
  const scopes: Record<string, readonly string[]> = { [EXEMPTION_KIND]: [config.exemptionNamespace], ConfigMap: [config.istioRootNamespace] };
  if (!config.secretNamespaces.includes('*')) scopes.Secret = config.secretNamespaces;
  return scopes;
}

/**
 * The Secret spec the cluster view uses: metadata only, or, when the operator opts in with the
 * setting secretTlsFacts, with data reduced to TLS facts as it arrives.
 */
export function secretSpec(config: { secretTlsFacts: 'off' | 'on' }): ResourceSpec {
  const base = RESOURCES.Secret as ResourceSpec;
  return config.secretTlsFacts === 'on' ? { ...base, metadataOnly: false, tlsFacts: true } : base;
}

/** The collection path of a served resource, optionally in one namespace. */
export function collectionPath(r: ServedResource, namespace?: string): string {
  const root = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/${r.plural}` : `${root}/${r.plural}`;
}

/**
 * Finds, for each spec, the first candidate version the server serves (API discovery, one request
 * per group version). Kinds the server does not serve at all (e.g. Istio CRDs not installed) come
 * back in `missing`. Network errors propagate.
 */
export async function resolveResources(http: KubeHttp, specs: readonly ResourceSpec[]): Promise<{ served: ServedResource[]; missing: ResourceSpec[] }> {
  const discovery = new Map<string, Promise<Set<string> | undefined>>();
  const resourcesOf = (groupVersion: string): Promise<Set<string> | undefined> => {
    let p = discovery.get(groupVersion);
    if (!p) {
      const path = groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`;
      p = http.get<{ resources?: Array<{ name: string }> }>(path).then(
        (list) => new Set((list.resources ?? []).map((r) => r.name)),
        (err: unknown) => {
          if (err instanceof KubeApiError && err.status === 404) return undefined;
          throw err;
        },
      );
      discovery.set(groupVersion, p);
    }
    return p;
  };
  const served: ServedResource[] = [];
  const missing: ResourceSpec[] = [];
  for (const spec of specs) {
    let found: ServedResource | undefined;
    for (const version of spec.versions) {
      const apiVersion = spec.group ? `${spec.group}/${version}` : version;
      if ((await resourcesOf(apiVersion))?.has(spec.plural)) {
        const r = { ...spec, version, apiVersion, path: '' };
        found = { ...r, path: collectionPath(r) };
        break;
      }
    }
    if (found) served.push(found);
    else missing.push(spec);
  }
  return { served, missing };
}
