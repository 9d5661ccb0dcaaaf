import type { FastifyBaseLogger } from 'fastify';
import { describeError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { readBundle } from '../policy/bundle.js';
import { OpaWasmEngine } from '../policy/engine.js';
import type { PolicyService } from '../policy/service.js';
import { auditObjects, countViolations, judgedFromInventory } from './audit.js';
import type { Inventory } from '../inventory/inventory.js';

export interface PeriodicAuditDeps {
  intervalSeconds: number;
  inventory: Inventory;
  policy: PolicyService;
  metrics: Metrics;
  log: FastifyBaseLogger;
  /** Resolves when the inventory has synced; the first audit waits for it. */
  synced: Promise<void>;
  memoryMiB: number;
  /** Namespace whose Exemption objects count. */
  exemptionNamespace?: string;
}

/** The audit's own engine, rebuilt only when the serving bundle version changes. */
export interface EngineCache {
  engine?: OpaWasmEngine;
  version?: string;
}

/**
 * Runs one audit of the inventory: the objects of every kind the rules judge that the webhook
 * watches, judged like `meshguard audit` judges them (same `auditObjects`). Uses an engine of its
 * own, built from the serving bundle file (kept in `cache` while the serving version is the same),
 * so the serving engine's data is never touched. Sets
 * `meshguard_audit_violations{rule,enforcement,exempt}` (reset first, so fixed violations vanish).
 * Kinds that are judged but not watched (Pods, ReplicaSets, Jobs...) are left to `meshguard audit`.
 */
export async function auditInventoryOnce(deps: Omit<PeriodicAuditDeps, 'intervalSeconds' | 'synced'>, cache: EngineCache = {}): Promise<{ objects: number; violations: number }> {
  const version = deps.policy.holder.status.version;
  if (!cache.engine || cache.version !== version) {
    cache.engine = await OpaWasmEngine.create(await readBundle(deps.policy.bundlePath), deps.memoryMiB);
    cache.version = version;
  }
  const engine = cache.engine;
  const objects = judgedFromInventory(engine.catalog, deps.inventory);
  const results = auditObjects(engine, deps.policy.org, objects, deps.inventory, undefined, deps.exemptionNamespace);
  deps.metrics.auditViolations.reset();
  let violations = 0;
  for (const c of countViolations(results).values()) {
    deps.metrics.auditViolations.set({ rule: c.rule, enforcement: c.enforcement, exempt: c.exempt }, c.count);
    violations += c.count;
  }
  return { objects: objects.length, violations };
}

/** Starts the background audit every `intervalSeconds` after the first sync. Returns a stop function. */
export function startPeriodicAudit(deps: PeriodicAuditDeps): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const cache: EngineCache = {};
  const tick = async (): Promise<void> => {
    if (stopped) return;
    const started = Date.now();
    try {
      const { objects, violations } = await auditInventoryOnce(deps, cache);
      deps.log.info({ objects, violations, ms: Date.now() - started }, 'background audit done');
    } catch (err) {
      deps.log.error({ err: describeError(err) }, 'background audit failed');
    }
    if (!stopped) {
      timer = setTimeout(() => void tick(), deps.intervalSeconds * 1000);
      timer.unref();
    }
  };
  void deps.synced.then(() => tick());
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
