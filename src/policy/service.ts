import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { describeError } from '../errors.js';
import { watchFiles } from '../file-watch.js';
import type { Inventory } from '../kube/inventory.js';
import type { Metrics } from '../metrics.js';
import { loadOrgConfig, type OrgConfig } from '../org-config.js';
import type { Readiness } from '../readiness.js';
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
}

/**
 * Owns everything the validating webhook evaluates with: the engine holder, the org config and
 * exemptions, and the flow of cluster data into the engine (debounced, never per request). Watches
 * the bundle and org-config files and reloads them; a failed reload keeps what serves.
 */
export class PolicyService {
  readonly holder: PolicyHolder;
  org!: OrgConfig;
  exemptions!: Exemptions;
  private timer: NodeJS.Timeout | undefined;
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
    await this.reloadBundle();
    this.stops.push(this.opts.inventory.onChange(() => this.schedulePush()));
    if (!opts.watch) return;
    this.stops.push(watchFiles([this.bundlePath], this.opts.watchIntervalMs, () => void this.reloadBundle()));
    if (this.opts.orgConfigPath) {
      this.stops.push(watchFiles([this.opts.orgConfigPath], this.opts.watchIntervalMs, () => void this.reloadOrgConfig()));
    }
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

  /** Loads the bundle file and swaps it in; on failure the old engine keeps serving. */
  async reloadBundle(): Promise<boolean> {
    const { metrics, readiness, log } = this.opts;
    const previous = this.holder.status.version;
    const error = await this.holder.load(this.bundlePath);
    const status = this.holder.status;
    metrics.bundleLoads.inc({ result: error ? 'failure' : 'success' });
    if (error) {
      log.error({ code: 'MG_ERR_POLICY_BUNDLE_INVALID', bundle: this.bundlePath, servingVersion: previous ?? null, err: error }, 'policy bundle load failed; keeping the serving bundle');
    } else {
      if (previous && previous !== status.version) metrics.bundle.remove({ bundle_version: previous });
      metrics.bundle.set({ bundle_version: status.version ?? 'none' }, 1);
      log.info({ bundle: this.bundlePath, policyVersion: status.version, rules: Object.keys(this.holder.current()?.catalog ?? {}).length }, 'policy bundle loaded');
    }
    const detail = status.loaded
      ? `bundle ${status.version} from ${this.bundlePath}${status.lastError ? `; last reload failed: ${status.lastError}` : ''}`
      : `no policy bundle loaded: ${status.lastError ?? 'not loaded yet'}`;
    readiness.set('policy', status.loaded && !status.lastError, detail);
    return !error;
  }

  private async reloadOrgConfig(): Promise<void> {
    try {
      this.applyOrgConfig(await loadOrgConfig(this.opts.orgConfigPath));
      this.opts.log.info({ orgConfig: this.opts.orgConfigPath }, 'org config reloaded');
    } catch (err) {
      this.opts.log.error({ orgConfig: this.opts.orgConfigPath, err: describeError(err) }, 'org config reload failed; keeping the current one');
    }
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

  /** Pushes org config and inventory to the engine. */
  pushNow(): void {
    try {
      this.holder.setData({ config: this.org.raw, inventory: this.opts.inventory.toJSON() });
    } catch (err) {
      this.opts.log.error({ err: describeError(err) }, 'cannot push cluster data to the policy engine');
    }
  }
}
