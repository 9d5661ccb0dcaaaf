/**
 * The application's effective resources, computed from a pod spec the way the Kubernetes
 * scheduler does (k8s.io/component-helpers resource.PodRequests, with sidecar containers):
 *
 * ```
 * sum      = Σ app containers + Σ restartable init containers (restartPolicy: Always)
 * initMax  = max over init containers, in order, of
 *              restartable:  Σ restartable init containers so far
 *              other:        its own value + Σ restartable init containers before it
 * effective = max(sum, initMax)
 * ```
 * A container with a limit but no request requests its limit (Kubernetes' defaulting).
 * The effective limit is known only when every app and restartable init container has one;
 * ordinary init containers without a limit count as 0 (they end before the app runs).
 * Containers Istio itself adds (`istio-proxy`, `istio-init`, `istio-validation`) are ignored.
 */
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { isRecord } from '../inventory/objects.js';
import { parseCpuMillis, parseMemoryBytes } from './quantity.js';

/** Effective app resources: millicores and bytes; limits undefined when not all containers set one. */
export interface AppResources {
  readonly cpu: bigint;
  readonly memory: bigint;
  readonly cpuLimit: bigint | undefined;
  readonly memoryLimit: bigint | undefined;
}

const ISTIO_CONTAINERS = new Set(['istio-proxy', 'istio-init', 'istio-validation']);

interface ContainerAmounts {
  request: bigint | undefined;
  limit: bigint | undefined;
  restartable: boolean;
}

function readAmount(container: Record<string, unknown>, part: 'requests' | 'limits', resource: string): bigint | undefined {
  const resources = container.resources;
  if (!isRecord(resources) || !isRecord(resources[part])) return undefined;
  const raw = resources[part][resource];
  if (raw === undefined || raw === null) return undefined;
  const where = `container ${JSON.stringify(container.name ?? '?')} resources.${part}.${resource}`;
  let value: bigint;
  try {
    value = resource === 'cpu' ? parseCpuMillis(raw) : parseMemoryBytes(raw);
  } catch (err) {
    throw new MeshguardError(ErrorCodes.QUANTITY_INVALID, `${where}: ${describeError(err)}`, { statusCode: 400, cause: err });
  }
  if (value < 0n) throw new MeshguardError(ErrorCodes.QUANTITY_INVALID, `${where}: must not be negative`, { statusCode: 400 });
  return value;
}

function amounts(list: unknown, resource: string): ContainerAmounts[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter((c): c is Record<string, unknown> => isRecord(c) && !ISTIO_CONTAINERS.has(String(c.name)))
    .map((c) => {
      const limit = readAmount(c, 'limits', resource);
      return { request: readAmount(c, 'requests', resource) ?? limit, limit, restartable: c.restartPolicy === 'Always' };
    });
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** Kubernetes' effective value; `strict`: a missing value makes the whole result undefined. */
function effective(apps: ContainerAmounts[], inits: ContainerAmounts[], pick: 'request' | 'limit', strict: boolean): bigint | undefined {
  let sum = 0n;
  let missing = false;
  for (const c of apps) {
    const v = c[pick];
    if (v === undefined) missing = true;
    else sum += v;
  }
  let sidecars = 0n;
  let initMax = 0n;
  for (const c of inits) {
    const v = c[pick];
    if (c.restartable) {
      if (v === undefined) missing = true;
      sum += v ?? 0n;
      sidecars += v ?? 0n;
      initMax = max(initMax, sidecars);
    } else {
      initMax = max(initMax, (v ?? 0n) + sidecars);
    }
  }
  if (strict && missing) return undefined;
  return max(sum, initMax);
}

/**
 * The pod's effective app requests and limits (see the module comment for the rule).
 * @throws MeshguardError QUANTITY_INVALID naming the container and field of a bad quantity.
 */
export function appResources(spec: Record<string, unknown>): AppResources {
  const result = (resource: 'cpu' | 'memory', pick: 'request' | 'limit'): bigint | undefined => {
    const apps = amounts(spec.containers, resource);
    const inits = amounts(spec.initContainers, resource);
    if (pick === 'limit' && apps.length === 0) return undefined;
    return effective(apps, inits, pick, pick === 'limit');
  };
  return {
    cpu: result('cpu', 'request') ?? 0n,
    memory: result('memory', 'request') ?? 0n,
    cpuLimit: result('cpu', 'limit'),
    memoryLimit: result('memory', 'limit'),
  };
}
