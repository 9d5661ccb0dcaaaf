import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import { describeError } from './errors.js';
import type { Metrics } from './metrics.js';
import type { PolicyService } from './policy/service.js';
import type { Readiness } from './readiness.js';
import type { ServingCertificate } from './tls/certificates.js';
import { KubeHttp, loadKubeConfig } from './kube/client.js';
import { KUBE_READINESS, startInformers } from './kube/informers.js';
import type { Inventory } from './inventory/inventory.js';
import { startPeriodicAudit } from './audit/periodic-audit.js';
import { watchScopes } from './kube/resources.js';
import { startTlsExpiry } from './kube/tls-expiry.js';
import { runSelfCheck, SELF_CHECK_READINESS } from './kube/self-check.js';
import { startSnapshotWriter } from './snapshot/schedule.js';

/** What `buildServer` hands the cluster view. */
export interface ClusterDeps {
  config: Config;
  inventory: Inventory;
  metrics: Metrics;
  readiness: Readiness;
  log: FastifyBaseLogger;
  policy: PolicyService;
  certificate: ServingCertificate;
}

/** The running cluster view. */
export interface Cluster {
  stop(): void;
}

/** How often the self-check runs again after a clean result (catches certificate rotation). */
export const SELF_CHECK_INTERVAL_MS = 5 * 60_000;
/** How soon it runs again after finding drift (a configuration created just after meshguard, a patch to verify). */
export const SELF_CHECK_DRIFT_INTERVAL_MS = 30_000;

/**
 * Starts meshguard's view of the cluster: informers feeding the Inventory (readiness `kube` waits
 * for their first sync), the webhook-configuration self-check (`selfCheck`), and the background
 * audit (`auditInterval`). Returns at once; nothing here throws or waits for the API server: an
 * unusable kubeconfig or an unreachable server shows in /readyz and the logs, and admission keeps
 * serving with what it knows.
 */
export async function startCluster(deps: ClusterDeps): Promise<Cluster> {
  const { config, inventory, metrics, readiness, log, policy } = deps;
  let http: KubeHttp;
  try {
    http = new KubeHttp(loadKubeConfig(config.kubeconfig));
  } catch (err) {
    const message = describeError(err);
    readiness.set(KUBE_READINESS, false, message);
    log.error({ err: message }, 'cluster view disabled: no usable kubeconfig');
    return { stop() {} };
  }
  const informers = startInformers({ http, inventory, metrics, readiness, log, namespaces: watchScopes(config), secretTlsFacts: config.secretTlsFacts });
  const stops: Array<() => void> = [() => informers.stop()];
  if (config.secretTlsFacts === 'on') {
    const expiry = startTlsExpiry(inventory);
    stops.push(() => expiry.stop());
  }
  if (config.selfCheck !== 'off') stops.push(startSelfCheckLoop(http, deps));
  if (config.snapshotOutput && config.snapshotInterval > 0) {
    const writer = startSnapshotWriter({ output: config.snapshotOutput, intervalSeconds: config.snapshotInterval, inventory, http, metrics, log, synced: informers.synced });
    stops.push(writer.stop);
  }
  if (config.auditInterval > 0) {
    stops.push(startPeriodicAudit({
      intervalSeconds: config.auditInterval, inventory, policy, metrics, log, synced: informers.synced, memoryMiB: config.policyMemoryMiB,
      exemptionNamespace: config.exemptionNamespace,
    }));
  }
  return {
    stop() {
      for (const stop of stops.splice(0)) stop();
    },
  };
}

/**
 * Runs the self-check now, retries with backoff (cap 30 s) while the API fails, then every 30 s
 * while there is drift and every 5 minutes once there is none.
 */
function startSelfCheckLoop(http: KubeHttp, deps: ClusterDeps): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  const run = async (): Promise<void> => {
    if (stopped) return;
    let next = SELF_CHECK_INTERVAL_MS;
    try {
      const result = await runSelfCheck({ http, config: deps.config, certificatePem: deps.certificate.cert, metrics: deps.metrics, readiness: deps.readiness, log: deps.log });
      if (result.drifts.length > 0) next = SELF_CHECK_DRIFT_INTERVAL_MS;
      failures = 0;
    } catch (err) {
      next = Math.min(30_000, 1000 * 2 ** failures++);
      const message = describeError(err);
      deps.readiness.set(SELF_CHECK_READINESS, true, `self-check could not run (retrying in ${next} ms): ${message}`);
      deps.log.warn({ err: message, retryInMs: next }, 'webhook configuration self-check failed');
    }
    if (!stopped) {
      timer = setTimeout(() => void run(), next);
      timer.unref();
    }
  };
  deps.readiness.set(SELF_CHECK_READINESS, true, 'self-check pending');
  void run();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
