/**
 * Mutator `mtls-defaults` (CREATE and UPDATE):
 * - PeerAuthentication without `spec.mtls.mode` gets `STRICT` (`spec.mtls` is created when
 *   absent). An explicit mode, `UNSET` included, is never changed.
 * - DestinationRule with no TLS setting anywhere (`spec.trafficPolicy.tls`,
 *   `portLevelSettings[].tls`, `subsets[].trafficPolicy.tls` and its port-level settings) gets
 *   `spec.trafficPolicy.tls.mode: ISTIO_MUTUAL`, only when `spec.host` is an in-mesh service: it
 *   expands to `<name>.<ns>.svc.<clusterDomain>` (see {@link classifyHost}), no ServiceEntry in the
 *   inventory declares it, and the namespace is known and carries a mesh label. Wildcard and
 *   external hosts, ServiceEntry hosts and namespaces outside the mesh are left alone; so is an
 *   unknown namespace, with a note.
 * On UPDATE a value the user removed is not filled back (see `ownership.ts`).
 */
import { isRecord, type KubeObject } from '../../inventory/objects.js';
import { classifyHost, findServiceEntry, namespaceMembership } from '../mesh.js';
import { dig } from '../pod-targets.js';
import { removedByUser } from '../ownership.js';
import type { MutationEnv, MutationRequest, Mutator } from '../types.js';

const ID = 'mtls-defaults';
const PA_MODE = 'STRICT';
const DR_TLS = { mode: 'ISTIO_MUTUAL' } as const;

function present(v: unknown): boolean {
  return v !== undefined && v !== null;
}

function ensureRecord(parent: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  if (!present(parent[key])) parent[key] = {};
  const child = parent[key];
  return isRecord(child) ? child : undefined;
}

function objectName(obj: KubeObject): string {
  return obj.metadata?.name ?? obj.metadata?.generateName ?? '?';
}

function peerAuthentication(obj: KubeObject, req: MutationRequest): string[] {
  if (present(dig(obj, ['spec', 'mtls'])?.mode)) return [];
  const readMode = (o: KubeObject): unknown => dig(o, ['spec', 'mtls'])?.mode;
  if (removedByUser(req, ID, readMode, PA_MODE)) {
    return [`${ID}: PeerAuthentication ${objectName(obj)}: spec.mtls.mode was removed by this update; left unset`];
  }
  const spec = ensureRecord(obj, 'spec');
  const mtls = spec ? ensureRecord(spec, 'mtls') : undefined;
  if (!mtls) return [`${ID}: PeerAuthentication ${objectName(obj)}: spec.mtls is not a mapping; left unchanged`];
  mtls.mode = PA_MODE;
  return [`${ID}: PeerAuthentication ${objectName(obj)}: spec.mtls.mode set to ${PA_MODE}`];
}

function portLevelTls(policy: unknown): boolean {
  const ports = isRecord(policy) ? policy.portLevelSettings : undefined;
  return Array.isArray(ports) && ports.some((p) => isRecord(p) && present(p.tls));
}

function policyTls(policy: unknown): boolean {
  return (isRecord(policy) && present(policy.tls)) || portLevelTls(policy);
}

/** True when the DestinationRule sets TLS anywhere. */
export function destinationRuleHasTls(obj: KubeObject): boolean {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  if (policyTls(spec.trafficPolicy)) return true;
  const subsets = Array.isArray(spec.subsets) ? spec.subsets : [];
  return subsets.some((s) => isRecord(s) && policyTls(s.trafficPolicy));
}

/** Why the host is not an in-mesh service, or undefined when it is. */
function hostVerdict(host: unknown, req: MutationRequest, env: MutationEnv): string | undefined {
  if (typeof host !== 'string' || host === '') return 'spec.host is missing';
  const cls = classifyHost(host, req.namespace, env.config.mesh.clusterDomain);
  if (cls.kind === 'wildcard') return `host ${host} is a wildcard`;
  if (cls.kind === 'external') return `host ${host} is not a cluster-local service`;
  const se = findServiceEntry(env, [host, cls.fqdn]);
  if (se) return `host ${host} is declared by ServiceEntry ${se.metadata?.namespace ?? ''}/${se.metadata?.name ?? '?'}`;
  const membership = namespaceMembership(cls.namespace, env);
  if (membership === 'unknown') return `namespace membership of host ${host} unknown`;
  if (membership === 'out') return `host ${host} is in namespace ${cls.namespace}, which is not in the mesh`;
  return undefined;
}

function destinationRule(obj: KubeObject, req: MutationRequest, env: MutationEnv): string[] {
  if (destinationRuleHasTls(obj)) return [];
  const spec = isRecord(obj.spec) ? obj.spec : undefined;
  const host = spec?.host;
  const why = hostVerdict(host, req, env);
  if (why) return [`${ID}: ${why}; left unchanged`];
  const readTls = (o: KubeObject): unknown => (destinationRuleHasTls(o) ? (dig(o, ['spec', 'trafficPolicy'])?.tls ?? {}) : undefined);
  if (removedByUser(req, ID, readTls, DR_TLS)) {
    return [`${ID}: DestinationRule ${objectName(obj)}: TLS settings were removed by this update; left unchanged`];
  }
  const policy = spec ? ensureRecord(spec, 'trafficPolicy') : undefined;
  if (!policy) return [`${ID}: DestinationRule ${objectName(obj)}: spec.trafficPolicy is not a mapping; left unchanged`];
  policy.tls = { ...DR_TLS };
  return [`${ID}: DestinationRule ${objectName(obj)}: host ${String(host)} is in the mesh; trafficPolicy.tls.mode set to ${DR_TLS.mode}`];
}

/** The `mtls-defaults` mutator (see the module comment). */
export const mtlsDefaultsMutator: Mutator = {
  id: ID,
  owns: [
    { kinds: ['PeerAuthentication'], path: 'spec.mtls.mode' },
    { kinds: ['DestinationRule'], path: 'spec.trafficPolicy.tls.mode' },
  ],
  matches: (req, env) =>
    env.config.mtls.enabled &&
    (req.operation === 'CREATE' || req.operation === 'UPDATE') &&
    (req.kind === 'PeerAuthentication' || req.kind === 'DestinationRule'),
  mutate(obj, req, env) {
    return req.kind === 'PeerAuthentication' ? peerAuthentication(obj, req) : destinationRule(obj, req, env);
  },
  writes: () => [['spec']],
};
