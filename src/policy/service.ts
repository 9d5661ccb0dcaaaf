import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { describeError, withoutPaths } from '../errors.js';
import { watchSettled, type ReloadOutcome } from '../file-watch.js';
import type { Inventory } from '../inventory/inventory.js';
import type { Metrics } from '../metrics.js';
import { DEFAULT_ISTIO_ROOT_NAMESPACE, MeshConfigError, type MeshFacts } from '../mesh/facts.js';
import { meshFactsFrom } from '../mesh/sources.js';
import { loadOrgConfig, type OrgConfig } from '../org-config.js';
import type { Readiness } from '../readiness.js';
import { ReloadEvents } from '../reload-events.js';
import { inventoryData } from './engine-data.js';
import { Exemptions } from './exemptions.js';
import { PolicyHolder } from './holder.js';
import { packageRoot } from './opa-binary.js';

/** The built-in pack, built by `npm run build:policies`. */
export const BUILTIN_BUNDLE = path.join(packageRoot, 'dist', 'policies', 'bundle.tar.gz');

export interface PolicyServiceOptions {
  bundlePath?: string;
  orgConfigPath?: string;
  memoryMiB: number;
  /** Evaluation workers (0: on the event loop), deadline and queue bound. */
  evaluation: { workers: number; timeoutMs: number; queueLimit: number };
  debounceMs: number;
  watchIntervalMs: number;
  inventory: Inventory;
  metrics: Metrics;
  readiness: Readiness;
  log: FastifyBaseLogger;
  /** Where finished reloads are announced (a private one when not given). */
  events?: ReloadEvents;
  /** Istio's root namespace: its `istio` and `istio-sidecar-injector` ConfigMaps are the mesh config. */
  istioRootNamespace?: string;
}

/**
 * Owns everything the validating webhook evaluates with: the engine holder, the org config and
 * exemptions, and the flow of cluster data into the engine (debounced, never per request). Watches
 * the bundle and org-config files and reloads each stable version once (see watchSettled); a failed
 * reload keeps what serves and marks the replica degraded, not unready.
 */
export class PolicyService {
  readonly holder: PolicyHolder;
  readonly events: ReloadEvents;
  org!: OrgConfig;
  exemptions!: Exemptions;
  private timer: NodeJS.Timeout | undefined;
  private mesh: MeshFacts = {};
  /** The bundle version in the info metric. */
  private served: string | undefined;
  private readonly stops: Array<() => void> = [];

  constructor(private readonly opts: PolicyServiceOptions) {
    const { metrics, log } = opts;
    this.holder = new PolicyHolder({
      ...opts.evaluation, memoryMiB: opts.memoryMiB,
      events: {
        workerReplaced: (reason, detail) => {
          metrics.workerReplacements.inc({ reason });
          log.warn({ reason, detail }, 'policy evaluation worker replaced');
        },
        dataError: (message) => log.error({ err: message }, 'cannot push cluster data to the policy engine'),
      },
    });
    this.events = opts.events ?? new ReloadEvents();
  }

  get bundlePath(): string {
    return this.opts.bundlePath ?? BUILTIN_BUNDLE;
  }

  /**
   * First load: org config (a bad one fails start), then the bundle (failure shows in /readyz).
   * With `watch` the bundle and org-config files are polled and reloaded on change.
   */
  async start(opts: { watch: boolean } = { watch: true }): Promise<void> {
    this.applyOrgConfig(await loadOrgConfig(this.opts.orgConfigPath));
    if (this.opts.orgConfigPath) this.opts.readiness.set('orgConfig', true, 'org config loaded');
    await this.reloadBundle();
    this.stops.push(this.opts.inventory.onChange(() => this.schedulePush()));
    if (!opts.watch) return;
    const interval = this.opts.watchIntervalMs;
    this.stops.push(await watchSettled([this.bundlePath], interval, () => this.loadBundle(), (outcome) => this.recordBundle(outcome)));
    const orgPath = this.opts.orgConfigPath;
    if (orgPath) this.stops.push(await watchSettled([orgPath], interval, () => loadOrgConfig(orgPath), (outcome) => this.recordOrgConfig(outcome)));
  }

  stop(): void {
    for (const stop of this.stops.splice(0)) stop();
    if (this.timer) clearTimeout(this.timer);
  }

  /** Stops watching and frees the serving engine's workers. */
  async close(): Promise<void> {
    this.stop();
    await this.holder.close();
  }

  /** Loads the bundle file once and swaps it in; on failure the old engine keeps serving. */
  async reloadBundle(): Promise<boolean> {
    try {
      this.recordBundle({ ok: true, value: await this.loadBundle() });
      return true;
    } catch (err) {
      this.recordBundle({ ok: false, error: err, attempts: 1 });
      return false;
    }
  }

  /** Builds and swaps in an engine from the bundle file; throws what failed (old engine kept). */
  private async loadBundle(): Promise<string> {
    const error = await this.holder.load(this.bundlePath);
    if (error) throw new Error(error);
    return this.holder.status.version ?? 'none';
  }

  /** Logs, metrics, readiness and the reload event for one bundle load outcome. */
  private recordBundle(outcome: ReloadOutcome<string>): void {
    const { metrics, readiness, log } = this.opts;
    const status = this.holder.status;
    metrics.bundleLoads.inc({ result: outcome.ok ? 'success' : 'failure' });
    if (outcome.ok) {
      const recovered = readiness.degradation('policy');
      if (this.served && this.served !== outcome.value) metrics.bundle.remove({ bundle_version: this.served });
      this.served = outcome.value;
      metrics.bundle.set({ bundle_version: outcome.value }, 1);
      metrics.bundleDegraded.set(0);
      readiness.set('policy', true, `bundle ${outcome.value} serves`);
      log.info({ bundle: this.bundlePath, policyVersion: outcome.value, rules: Object.keys(this.holder.current()?.catalog ?? {}).length, ...(recovered ? { recoveredFrom: recovered } : {}) }, 'policy bundle loaded');
    } else {
      const message = describeError(outcome.error);
      const failed = withoutPaths(message.split('\n')[0] ?? '');
      const fields = { code: 'MG_ERR_POLICY_BUNDLE_INVALID', bundle: this.bundlePath, attempts: outcome.attempts, err: message };
      if (status.loaded) {
        const degraded = readiness.degrade('policy', `bundle ${status.version} serves; the last reload failed: ${failed}`, failed);
        metrics.bundleDegraded.set(1);
        log.error({ ...fields, servingVersion: status.version, degraded: true, degradedSince: degraded.since }, 'policy bundle reload failed; the previous bundle keeps serving (degraded)');
      } else {
        readiness.set('policy', false, `no policy bundle loaded: ${failed}`);
        log.error({ ...fields, servingVersion: null }, 'policy bundle load failed; nothing can serve');
      }
    }
    this.events.reloaded({ source: 'bundle', result: outcome.ok ? 'success' : 'failure', ...(status.version ? { version: status.version } : {}) });
  }

  /** Applies a reloaded org config, or keeps the current one (degraded) when it does not load. */
  private recordOrgConfig(outcome: ReloadOutcome<OrgConfig>): void {
    const { metrics, readiness, log } = this.opts;
    if (outcome.ok) {
      this.applyOrgConfig(outcome.value);
      metrics.orgConfigDegraded.set(0);
      readiness.set('orgConfig', true, 'org config loaded');
      log.info({ orgConfig: this.opts.orgConfigPath }, 'org config reloaded');
    } else {
      const message = describeError(outcome.error);
      const failed = withoutPaths(message.split('\n')[0] ?? '');
      const degraded = readiness.degrade('orgConfig', `the previous org config serves; the last reload failed: ${failed}`, failed);
      metrics.orgConfigDegraded.set(1);
      log.error({ orgConfig: this.opts.orgConfigPath, attempts: outcome.attempts, err: message, degraded: true, degradedSince: degraded.since }, 'org config reload failed; the previous one keeps serving (degraded)');
    }
    this.events.reloaded({ source: 'orgConfig', result: outcome.ok ? 'success' : 'failure' });
  }

  private applyOrgConfig(org: OrgConfig): void {
    this.org = org;
    this.exemptions = new Exemptions(org.exemptions);
    this.pushNow();
  }

  private schedulePush(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pushNow();
    }, this.opts.debounceMs);
    this.timer.unref();
  }

  /**
   * Istio's mesh config from the inventory's ConfigMaps; one that cannot be read keeps the last
   * good facts and is logged, like a bad org config on reload.
   */
  private readMeshFacts(): MeshFacts {
    try {
      this.mesh = meshFactsFrom(this.opts.inventory.list('ConfigMap'), this.opts.istioRootNamespace ?? DEFAULT_ISTIO_ROOT_NAMESPACE);
    } catch (err) {
      if (!(err instanceof MeshConfigError)) throw err;
      this.opts.log.error({ err: err.message }, 'cannot read Istio\'s mesh config; the previous one is kept');
    }
    return this.mesh;
  }

  /** The last good facts of Istio's mesh config (for the mutators). */
  get meshFacts(): MeshFacts {
    return this.mesh;
  }

  /** Pushes org config, inventory and Istio's mesh config to the engine. */
  pushNow(): void {
    // A push now supersedes a scheduled one (e.g. a whole snapshot loaded and pushed at once).
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      const { inventory, metrics } = this.opts;
      const meshConfig = this.readMeshFacts();
      this.holder.setData({ config: this.org.raw, ...inventoryData(inventory), scopes: inventory.scopes(), meshConfig });
      for (const kind of inventory.kinds()) metrics.dataObjects.set({ kind }, inventory.count(kind));
    } catch (err) {
      this.opts.log.error({ err: describeError(err) }, 'cannot push cluster data to the policy engine');
    }
  }
}
