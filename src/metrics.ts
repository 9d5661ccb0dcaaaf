import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type CounterConfiguration, type LabelValues } from 'prom-client';

/** Buckets from 0.1 ms to 10 s: admission work is mostly sub-millisecond. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A counter of the admission path: `inc` adds to a plain number per set of label values, and the
 * prom-client Counter gets the sums when the registry is read (its `collect`), so a request does
 * not hash and validate its labels inside prom-client. /metrics shows what the Counter alone would.
 * Label values must come from closed sets (label-values.ts): each set keys one pending sum.
 */
export class RequestCounter<T extends string> {
  readonly counter: Counter<T>;
  /** Pending sums, one map level per label name (cheaper than building a key string per call). */
  private pending = new Map<unknown, unknown>();
  private readonly sums: { labels: LabelValues<T>; value: number }[] = [];

  constructor(private readonly config: CounterConfiguration<T> & { labelNames: readonly T[] }) {
    this.counter = new Counter<T>({ ...config, collect: () => this.flush() });
  }

  /** Adds `value` (default 1) to the count of these label values. */
  inc(labels: LabelValues<T>, value = 1): void {
    const names = this.config.labelNames;
    let level = this.pending;
    for (let i = 0; i < names.length - 1; i++) {
      const v = labels[names[i] as T];
      let next = level.get(v) as Map<unknown, unknown> | undefined;
      if (!next) level.set(v, (next = new Map()));
      level = next;
    }
    const last = labels[names[names.length - 1] as T];
    const sum = level.get(last) as { value: number } | undefined;
    if (sum) {
      sum.value += value;
      return;
    }
    const fresh = { labels, value };
    level.set(last, fresh);
    this.sums.push(fresh);
  }

  private flush(): void {
    for (const { labels, value } of this.sums) this.counter.inc(labels, value);
    this.sums.length = 0;
    this.pending = new Map();
  }
}

/** Every metric meshguard exports, on a registry of its own (one per server, so tests stay apart). */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new RequestCounter({
    name: 'meshguard_admission_requests_total',
    help: 'Admission requests by webhook, kind, operation, outcome (allowed, denied, warned, mutated, error) and dry run.',
    labelNames: ['webhook', 'kind', 'operation', 'outcome', 'dry_run'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'meshguard_admission_duration_seconds',
    help: 'Time to answer an AdmissionReview, from parsed body to response.',
    labelNames: ['webhook'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly evaluation = new Histogram({
    name: 'meshguard_policy_evaluation_seconds',
    help: 'Time spent in the Wasm policy evaluation, including the wait for a free evaluation worker.',
    labelNames: ['bundle_version'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly violations = new RequestCounter({
    name: 'meshguard_policy_violations_total',
    help: 'Violations found at admission, by rule, enforcement, whether an exemption applied and dry run (true: a server-side dry run, nothing was stored).',
    labelNames: ['rule', 'enforcement', 'exempt', 'dry_run'] as const,
    registers: [this.registry],
  });
  readonly evaluationErrors = new Counter({
    name: 'meshguard_policy_evaluation_errors_total',
    help: 'Policy evaluations that failed (trap, missing engine) and were answered per failureMode.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly bundle = new Gauge({
    name: 'meshguard_policy_bundle_info',
    help: 'The serving policy bundle (value 1), labelled by its version hash.',
    labelNames: ['bundle_version'] as const,
    registers: [this.registry],
  });
  readonly bundleLoads = new Counter({
    name: 'meshguard_policy_bundle_loads_total',
    help: 'Policy bundle load attempts by result (success, failure).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly mutations = new RequestCounter({
    name: 'meshguard_mutations_applied_total',
    help: 'Objects changed by each mutator.',
    labelNames: ['mutator', 'kind'] as const,
    registers: [this.registry],
  });
  readonly certificateExpiry = new Gauge({
    name: 'meshguard_tls_certificate_expiry_timestamp_seconds',
    help: 'notAfter of the serving certificate, as a Unix timestamp.',
    registers: [this.registry],
  });
  readonly certificateReloads = new Counter({
    name: 'meshguard_tls_certificate_reloads_total',
    help: 'Serving certificate reloads by result.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly auditViolations = new Gauge({
    name: 'meshguard_audit_violations',
    help: 'Objects in the cluster breaking each rule at the last audit, by enforcement and exemption.',
    labelNames: ['rule', 'enforcement', 'exempt'] as const,
    registers: [this.registry],
  });
  readonly inventoryObjects = new Gauge({
    name: 'meshguard_inventory_objects',
    help: 'Objects held in the cluster inventory, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly dataObjects = new Gauge({
    name: 'meshguard_policy_data_objects',
    help: 'Inventory objects in the cluster data last pushed to the policy engine, by kind (the rules see these).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly webhookDrift = new Gauge({
    name: 'meshguard_webhook_configuration_drift',
    help: '1 when a webhook configuration is missing or does not point at meshguard with its CA bundle.',
    labelNames: ['configuration'] as const,
    registers: [this.registry],
  });
  readonly exemptionsHonoured = new Counter({
    name: 'meshguard_exemptions_honoured_total',
    help: 'Violations the validating webhook did not enforce because an exemption applied, by rule and source (org-config, annotation, resource).',
    labelNames: ['rule', 'source'] as const,
    registers: [this.registry],
  });

  readonly sizingRecommendation = new Gauge({
    name: 'meshguard_sizing_recommendation',
    help: 'Observed-traffic request recommendation for each workload\'s istio-proxy (resource cpu in cores, memory in bytes).',
    labelNames: ['namespace', 'kind', 'workload', 'resource'] as const,
    registers: [this.registry],
  });
  readonly sizingRefreshes = new Counter({
    name: 'meshguard_sizing_refreshes_total',
    help: 'Background sizing refreshes from Prometheus by result (success, failure).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly sizingLastRefresh = new Gauge({
    name: 'meshguard_sizing_last_refresh_timestamp_seconds',
    help: 'When the sizing recommendations were last refreshed from Prometheus, as a Unix timestamp.',
    registers: [this.registry],
  });
  /** Read at scrape time by meshguard_readiness_check; the composition root points it at its Readiness. */
  readinessChecks: () => Record<string, { ok: boolean }> = () => ({});
  readonly readinessCheck = new Gauge({
    name: 'meshguard_readiness_check',
    help: '1 while a readiness check passes (policy, kube informers synced, tls, ...), 0 while it fails.',
    labelNames: ['check'] as const,
    registers: [this.registry],
    collect: () => {
      this.readinessCheck.reset();
      for (const [check, c] of Object.entries(this.readinessChecks())) this.readinessCheck.set({ check }, c.ok ? 1 : 0);
    },
  });
  readonly bundleDegraded = new Gauge({
    name: 'meshguard_policy_bundle_degraded',
    help: '1 while the last policy bundle reload failed and an older bundle keeps serving (the replica stays ready), else 0.',
    registers: [this.registry],
  });
  readonly orgConfigDegraded = new Gauge({
    name: 'meshguard_org_config_degraded',
    help: '1 while the last org config reload failed and the previous config keeps serving, else 0.',
    registers: [this.registry],
  });
  readonly certificateDegraded = new Gauge({
    name: 'meshguard_tls_certificate_degraded',
    help: '1 while the last serving certificate reload failed and the previous certificate keeps serving, else 0.',
    registers: [this.registry],
  });
  readonly admissionShed = new Counter({
    name: 'meshguard_admission_shed_total',
    help: 'Admission requests answered 503 at once because maxInFlight requests were already being received or evaluated.',
    registers: [this.registry],
  });

  readonly evaluationTimeouts = new Counter({
    name: 'meshguard_policy_evaluation_timeouts_total',
    help: 'Policy evaluations that passed evaluationTimeoutMs (queue wait included) and were answered per failureMode.',
    registers: [this.registry],
  });
  readonly workerReplacements = new Counter({
    name: 'meshguard_policy_worker_replacements_total',
    help: 'Evaluation workers replaced, by reason: timeout (terminated past the deadline) or exit (crashed or out of memory).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  /** Read at scrape time by meshguard_snapshot_age_seconds; a serverless instance points it at its snapshot. */
  snapshotAgeSeconds: () => number | undefined = () => undefined;
  readonly snapshotAge = new Gauge({
    name: 'meshguard_snapshot_age_seconds',
    help: 'Age of the cluster snapshot a serverless instance judges with (seconds since it was taken); absent while none is loaded.',
    registers: [this.registry],
    collect: () => {
      const age = this.snapshotAgeSeconds();
      if (age === undefined) this.snapshotAge.reset();
      else this.snapshotAge.set(age);
    },
  });
  readonly snapshotLoads = new Counter({
    name: 'meshguard_snapshot_loads_total',
    help: 'Reads of the cluster snapshot by result: success (loaded), unchanged (ETag or bytes the same) or failure (what was loaded is kept).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly snapshotObjects = new Gauge({
    name: 'meshguard_snapshot_objects',
    help: 'Objects in the loaded cluster snapshot.',
    registers: [this.registry],
  });
  readonly snapshotWrites = new Counter({
    name: 'meshguard_snapshot_writes_total',
    help: 'Scheduled writes of the cluster snapshot (snapshotOutput) by result: success or failure.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'meshguard_' });
    for (const gauge of [this.bundleDegraded, this.orgConfigDegraded, this.certificateDegraded]) gauge.set(0);
  }
}
