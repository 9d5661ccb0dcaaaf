import type { FastifyBaseLogger } from 'fastify';
import { describeError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Readiness } from '../readiness.js';
import type { KubeHttp } from './client.js';
import type { Inventory } from '../inventory/inventory.js';
import { Reflector, type ReflectorOptions } from './reflector.js';
import { collectionPath, INVENTORY_KINDS, RESOURCES, resolveResources, secretSpec, type ResourceSpec } from './resources.js';

/** The readiness check the informers own. */
export const KUBE_READINESS = 'kube';

export interface InformerDeps {
  http: KubeHttp;
  inventory: Inventory;
  metrics: Metrics;
  readiness: Readiness;
  log: FastifyBaseLogger;
  /** Kinds to watch (default {@link INVENTORY_KINDS}). */
  kinds?: readonly string[];
  /** Kinds watched in these namespaces only (one watch per namespace); the rest cluster-wide. */
  namespaces?: Readonly<Record<string, readonly string[]>>;
  reflector?: ReflectorOptions;
  /** on: Secrets are read with data, reduced to TLS facts as they arrive (setting secretTlsFacts). */
  secretTlsFacts?: 'off' | 'on';
  /** How often kinds the server does not serve are looked up again (default 60 s). */
  rediscoverMs?: number;
}

/** A running set of informers. */
export interface Informers {
  /** Resolves when every served kind has been listed once (never rejects). */
  synced: Promise<void>;
  /** Kinds being watched, and kinds the server does not serve (looked up again periodically). */
  status(): { watching: string[]; notServed: string[]; pending: string[]; errors: Record<string, string> };
  stop(): void;
}

/**
 * Starts one {@link Reflector} per kind the API server serves and reports through `readiness`
 * ("kube": false until every informer has listed once, naming the missing ones) and the
 * `meshguard_inventory_objects` gauge. Discovery failures (API server unreachable) are retried with
 * backoff; nothing here throws or blocks the caller. After the first sync, watch failures do not
 * turn readiness false: admission keeps serving with the last known view, and the detail says
 * which kinds are reconnecting.
 */
export function startInformers(deps: InformerDeps): Informers {
  const { http, inventory, metrics, readiness, log } = deps;
  const specOf = (k: string): ResourceSpec | undefined => (k === 'Secret' ? secretSpec({ secretTlsFacts: deps.secretTlsFacts ?? 'off' }) : RESOURCES[k]);
  const specs = (deps.kinds ?? INVENTORY_KINDS).map(specOf).filter((r): r is ResourceSpec => r !== undefined);
  const reflectors = new Map<string, Reflector>();
  const errors = new Map<string, string>();
  let notServed: string[] = [];
  let discovered = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let markSynced: () => void = () => undefined;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  const report = (): void => {
    if (!discovered) return;
    const pending = [...reflectors.values()].filter((r) => !r.synced).map((r) => r.resource.kind);
    const ok = pending.length === 0;
    const parts = [ok ? `${reflectors.size} informers synced with ${http.server}` : `waiting for the first list of: ${pending.join(', ')}`];
    if (notServed.length > 0) parts.push(`not served by the API server (not watched): ${notServed.join(', ')}`);
    if (errors.size > 0) parts.push(`retrying: ${[...errors].map(([k, e]) => `${k} (${e})`).join('; ')}`);
    readiness.set(KUBE_READINESS, ok, parts.join('; '));
    if (ok) markSynced();
  };

  const hooks = {
    onList(kind: string) {
      errors.delete(kind);
      metrics.inventoryObjects.set({ kind }, inventory.count(kind));
      report();
    },
    onChange(kind: string) {
      if (errors.delete(kind)) report();
      metrics.inventoryObjects.set({ kind }, inventory.count(kind));
    },
    onWatching(kind: string) {
      if (errors.delete(kind)) {
        log.info({ kind }, 'informer recovered');
        report();
      }
    },
    onError(kind: string, err: unknown, retryInMs: number) {
      const message = describeError(err);
      if (errors.get(kind) !== message) log.warn({ kind, err: message, retryInMs }, 'informer failed; retrying');
      errors.set(kind, message);
      report();
    },
  };

  let failures = 0;
  const discover = async (wanted: readonly ResourceSpec[]): Promise<void> => {
    if (stopped) return;
    try {
      const { served, missing } = await resolveResources(http, wanted);
      failures = 0;
      for (const r of served) {
        const scope = deps.namespaces?.[r.kind];
        if (scope) inventory.scopeKind(r.kind, scope);
        for (const namespace of scope ?? [undefined]) {
          const key = namespace === undefined ? r.kind : `${r.kind}/${namespace}`;
          if (stopped || reflectors.has(key)) continue;
          const resource = namespace === undefined ? r : { ...r, path: collectionPath(r, namespace) };
          const reflector = new Reflector(http, resource, inventory, hooks, deps.reflector, namespace);
          reflectors.set(key, reflector);
          reflector.start();
          log.info({ kind: r.kind, apiVersion: r.apiVersion, namespace: namespace ?? null }, 'informer started');
        }
      }
      notServed = missing.map((m) => m.kind);
      if (missing.length > 0 && !discovered) log.warn({ kinds: notServed }, 'the API server does not serve these kinds; they are not watched (looked up again periodically)');
      discovered = true;
      report();
      if (missing.length > 0) schedule(() => discover(missing), deps.rediscoverMs ?? 60_000);
    } catch (err) {
      const delay = Math.min(30_000, 500 * 2 ** failures++);
      const message = describeError(err);
      if (!discovered) readiness.set(KUBE_READINESS, false, `API discovery failed, retrying in ${delay} ms: ${message}`);
      log.warn({ err: message, retryInMs: delay }, 'Kubernetes API discovery failed; retrying');
      schedule(() => discover(wanted), delay);
    }
  };
  const schedule = (fn: () => Promise<void>, ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => void fn(), ms);
    timer.unref();
  };

  readiness.set(KUBE_READINESS, false, `connecting to the Kubernetes API at ${http.server}`);
  void discover(specs);

  return {
    synced,
    status: () => ({
      watching: [...new Set([...reflectors.values()].map((r) => r.resource.kind))],
      notServed: [...notServed],
      pending: [...reflectors.values()].filter((r) => !r.synced).map((r) => r.resource.kind),
      errors: Object.fromEntries(errors),
    }),
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const r of reflectors.values()) r.stop();
    },
  };
}
