/**
 * The background recommender: every `sizing.refreshInterval` it asks Prometheus what each
 * workload's `istio-proxy` used and keeps the recommendations in memory; the mutating webhook
 * only reads that cache ({@link SizingRefresher.lookup}), so no admission ever waits on
 * Prometheus. A failed refresh keeps the previous recommendations until they are older than
 * `sizing.staleAfter`; then, like a workload with too little history, Pods are sized statically
 * and the sizing record says why.
 */
import type { FastifyBaseLogger } from 'fastify';
import { describeError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { sizingConfigOf, type SizingConfig } from './config.js';
import { observe, type Observation } from './observe.js';
import { PrometheusClient, type PrometheusApi } from './prometheus.js';
import { recommend, withHysteresis, type ObservedRequests, type Recommendation } from './recommend.js';
import { workloadKey, type WorkloadRef } from './workloads.js';

/** What the mutator gets for a workload: requests to apply, or why it sizes statically. */
export type SizingVerdict =
  | { readonly requests: ObservedRequests; readonly observation: Observation }
  | { readonly fallback: string };

/** The read side the mutator uses (the refresher, or a fixed set in `meshguard recommend`). */
export interface ObservedSizing {
  readonly config: SizingConfig;
  lookup(ref: WorkloadRef): SizingVerdict;
}

/** Options of a {@link SizingRefresher}. */
export interface RefresherOptions {
  /** The current `sizing:` settings (read at every refresh, so org-config reloads apply). */
  config: () => SizingConfig;
  metrics: Metrics;
  log: FastifyBaseLogger;
  /** The Prometheus API for a config (default: the HTTP client). */
  api?: (config: SizingConfig) => PrometheusApi;
  /** Now, in Unix seconds (default: the wall clock). */
  clock?: () => number;
}

/**
 * Runs one recommender pass: observes the window ending at `end` and gives each workload its
 * recommendation, with hysteresis against `previous` recommended requests.
 */
export async function recommendAll(
  api: PrometheusApi, config: SizingConfig, end: number, previous: ReadonlyMap<string, ObservedRequests> = new Map(),
): Promise<Map<string, Recommendation>> {
  const out = new Map<string, Recommendation>();
  for (const [key, observation] of await observe(api, config, end)) {
    const r = recommend(observation, config, end);
    out.set(key, r.status === 'recommended' ? { ...r, requests: withHysteresis(previous.get(key), r.requests, config.hysteresis) } : r);
  }
  return out;
}

/** The background recommender and its cache (see the module comment). */
export class SizingRefresher implements ObservedSizing {
  private recommendations = new Map<string, Recommendation>();
  private refreshedAt: number | undefined;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly clock: () => number;

  constructor(private readonly opts: RefresherOptions) {
    this.clock = opts.clock ?? (() => Math.floor(Date.now() / 1000));
  }

  get config(): SizingConfig {
    return this.opts.config();
  }

  /** Starts refreshing now and then every `refreshInterval`; never blocks the caller. */
  start(): void {
    const tick = (): void => {
      void this.refresh().finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(tick, this.config.refreshInterval * 1000);
        this.timer.unref();
      });
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One refresh; a failure is logged and counted, and the previous recommendations stay. */
  async refresh(): Promise<boolean> {
    const config = this.config;
    if (config.source !== 'prometheus') return false;
    const { metrics, log } = this.opts;
    const end = Math.floor(this.clock() / config.step) * config.step;
    try {
      const api = this.opts.api?.(config) ?? new PrometheusClient(config.prometheus);
      const previous = new Map<string, ObservedRequests>();
      for (const [k, r] of this.recommendations) if (r.status === 'recommended') previous.set(k, r.requests);
      this.recommendations = await recommendAll(api, config, end, previous);
      this.refreshedAt = this.clock();
      this.lastError = undefined;
      this.export();
      metrics.sizingRefreshes.inc({ result: 'success' });
      log.info({ workloads: this.recommendations.size, end }, 'sidecar sizing recommendations refreshed');
      return true;
    } catch (err) {
      this.lastError = describeError(err);
      metrics.sizingRefreshes.inc({ result: 'failure' });
      log.warn({ code: 'MG_ERR_SIZING_PROMETHEUS', err: this.lastError }, 'sidecar sizing refresh failed; keeping the previous recommendations until they are stale');
      return false;
    }
  }

  private export(): void {
    const gauge = this.opts.metrics.sizingRecommendation;
    gauge.reset();
    for (const r of this.recommendations.values()) {
      if (r.status !== 'recommended') continue;
      const { namespace, kind, name } = r.observation.workload;
      gauge.set({ namespace, kind, workload: name, resource: 'cpu' }, Number(r.requests.cpu) / 1000);
      gauge.set({ namespace, kind, workload: name, resource: 'memory' }, Number(r.requests.memory));
    }
    if (this.refreshedAt !== undefined) this.opts.metrics.sizingLastRefresh.set(this.refreshedAt);
  }

  /** The verdict for a workload from the cache; never contacts Prometheus. */
  lookup(ref: WorkloadRef): SizingVerdict {
    const config = this.config;
    const why = this.lastError ? ` (last refresh failed: ${this.lastError})` : '';
    if (this.refreshedAt === undefined) return { fallback: `no recommendations yet${why || ' (first refresh pending)'}` };
    if (this.clock() - this.refreshedAt > config.staleAfter) {
      return { fallback: `recommendations are stale: last refreshed ${new Date(this.refreshedAt * 1000).toISOString()}${why}` };
    }
    const r = this.recommendations.get(workloadKey(ref));
    if (!r) return { fallback: 'no istio-proxy usage for this workload in Prometheus' };
    if (r.status !== 'recommended') return { fallback: `${r.status}: ${r.reason}` };
    return { requests: r.requests, observation: r.observation };
  }

  /** Why the last refresh failed; undefined after a success. */
  get error(): string | undefined {
    return this.lastError;
  }

  /** Every recommendation of the last successful refresh, by workload key. */
  all(): ReadonlyMap<string, Recommendation> {
    return this.recommendations;
  }
}

/** Test hooks of {@link startSizing}: a fixed clock or Prometheus API, and `manual` to refresh only when called. */
export type SizingStartOptions = Partial<Pick<RefresherOptions, 'api' | 'clock'>> & { manual?: boolean };

/**
 * The server's refresher over the org config's `sizing:` section: a bad section fails start; an
 * invalid one after a reload is logged once and the last good settings stay. It refreshes only
 * while `source: prometheus`.
 * @throws MeshguardError ORG_CONFIG_INVALID for a bad `sizing:` section at start.
 */
export function startSizing(org: () => { raw: Record<string, unknown> }, metrics: Metrics, log: FastifyBaseLogger, opts: SizingStartOptions = {}): SizingRefresher {
  let current = sizingConfigOf(org());
  const reported = new WeakSet<object>();
  const config = (): SizingConfig => {
    const loaded = org();
    try {
      current = sizingConfigOf(loaded);
    } catch (err) {
      if (!reported.has(loaded)) log.error({ code: 'MG_ERR_ORG_CONFIG_INVALID', err: describeError(err) }, 'reloaded org config has an invalid sizing section; keeping the previous sizing settings');
      reported.add(loaded);
    }
    return current;
  };
  const refresher = new SizingRefresher({ config, metrics, log, ...(opts.api ? { api: opts.api } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
  if (!opts.manual) refresher.start();
  return refresher;
}
