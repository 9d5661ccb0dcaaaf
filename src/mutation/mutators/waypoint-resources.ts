/**
 * Mutator `waypoint-resources` (off by default; `mutation.waypoint`): fills in the requests and
 * limits of the `istio-proxy` container of ambient waypoint Deployments on CREATE and UPDATE.
 *
 * Targets: Deployments istiod generates for Gateways of class `istio-waypoint` (labels
 * `gateway.istio.io/managed=istio.io-mesh-controller`; istiod renders them from its waypoint
 * template and a Gateway's `spec.infrastructure.parametersRef` overlay, so the pod template is
 * where the resources end up). A value already present (from istiod's `global.waypoint.resources`,
 * the overlay or anyone else) is kept; only missing ones are added. Every value written is the
 * configured one clamped into the bounds of the rule pod-proxy-resources-range (`env.bounds`), the
 * bounds sidecar sizes obey. Sidecar annotations are never written: a waypoint has no sidecar.
 */
import { isRecord, type KubeObject } from '../../inventory/objects.js';
import type { SidecarBounds } from '../bounds.js';
import { SIDECAR_KEYS, type SidecarKey } from '../config.js';
import { dig } from '../pod-targets.js';
import { formatCpu, formatMemory, parseCpuMillis, parseMemoryBytes } from '../quantity.js';
import type { MutationEnv, Mutator } from '../types.js';

const ID = 'waypoint-resources';
/** The label istiod puts on the waypoints it manages, and its value. */
export const WAYPOINT_MANAGED_LABEL = 'gateway.istio.io/managed';
export const WAYPOINT_MANAGED_VALUE = 'istio.io-mesh-controller';
const PROXY = 'istio-proxy';

/** Where each key goes in a container's `resources`. */
const SLOT: Record<SidecarKey, ['requests' | 'limits', 'cpu' | 'memory']> = {
  cpu: ['requests', 'cpu'], cpuLimit: ['limits', 'cpu'], memory: ['requests', 'memory'], memoryLimit: ['limits', 'memory'],
};

function isWaypoint(obj: KubeObject): boolean {
  const labels = obj.metadata?.labels;
  return isRecord(labels) && labels[WAYPOINT_MANAGED_LABEL] === WAYPOINT_MANAGED_VALUE;
}

/** The configured value of `key`, clamped into the range rule's bounds. */
function bounded(key: SidecarKey, text: string, bounds: SidecarBounds | undefined): string {
  const cpu = key.startsWith('cpu');
  let value = cpu ? parseCpuMillis(text) : parseMemoryBytes(text);
  const range = bounds?.[cpu ? 'cpu' : 'memory'];
  if (range && value < range.min) value = range.min;
  if (range && value > range.max) value = range.max;
  return cpu ? formatCpu(value) : formatMemory(value);
}

/** A mapping at `holder[key]`, created when absent; undefined when something else is there. */
function mapping(holder: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  if (holder[key] === undefined || holder[key] === null) holder[key] = {};
  const v = holder[key];
  return isRecord(v) ? v : undefined;
}

/** Fills the missing values into the container; returns what was added, or why nothing could be. */
function fill(container: Record<string, unknown>, env: MutationEnv): string[] | string {
  const resources = mapping(container, 'resources');
  if (!resources) return 'resources is not a mapping';
  const added: string[] = [];
  for (const key of SIDECAR_KEYS) {
    const [part, resource] = SLOT[key];
    const block = mapping(resources, part);
    if (!block) return `resources.${part} is not a mapping`;
    if (block[resource] !== undefined && block[resource] !== null) continue;
    block[resource] = bounded(key, env.config.waypoint.resources[key], env.bounds);
    added.push(`${part}.${resource}=${String(block[resource])}`);
  }
  return added;
}

/** The `waypoint-resources` mutator (see the module comment). */
export const waypointResourcesMutator: Mutator = {
  id: ID,
  owns: ['resources', 'resources.requests', 'resources.limits', 'resources.requests.cpu', 'resources.requests.memory', 'resources.limits.cpu', 'resources.limits.memory']
    .map((leaf) => ({ kinds: ['Deployment'], path: `spec.template.spec.containers[*].${leaf}` })),
  matches: (req, env) => env.config.waypoint.enabled && req.kind === 'Deployment' && (req.operation === 'CREATE' || req.operation === 'UPDATE') && isWaypoint(req.object),
  mutate(obj, _req, env) {
    const containers = dig(obj, ['spec', 'template', 'spec'])?.containers;
    const proxy = Array.isArray(containers) ? containers.find((c) => isRecord(c) && c.name === PROXY) : undefined;
    const name = obj.metadata?.name ?? '?';
    if (!isRecord(proxy)) return [`${ID}: Deployment ${name}: no ${PROXY} container; left unchanged`];
    const added = fill(proxy, env);
    if (typeof added === 'string') return [`${ID}: Deployment ${name}: ${PROXY} ${added}; left unchanged`];
    return added.length > 0 ? [`${ID}: Deployment ${name}: ${PROXY} ${added.join(', ')} set`] : [];
  },
};
