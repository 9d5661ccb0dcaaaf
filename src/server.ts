import type { Server as HttpsServer } from 'node:https';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { registerJsonBody } from './admission/body.js';
import type { AdmissionServices } from './admission/services.js';
import type { Config } from './config.js';
import { Inventory } from './inventory/inventory.js';
import { Metrics } from './metrics.js';
import { registerErrorHandling } from './plugins/errors.js';
import { listenerTimeouts, registerHttpLimits } from './plugins/http-limits.js';
import { reportCertificate, tlsOptions, watchCertificate } from './plugins/tls-reload.js';
import { PolicyService } from './policy/service.js';
import { Readiness } from './readiness.js';
import { ReloadEvents } from './reload-events.js';
import { SnapshotContext } from './snapshot/context.js';
import { admissionRoutes } from './routes/admission.js';
import { probeRoutes } from './routes/probes.js';
import { startSizing, type SizingRefresher, type SizingStartOptions } from './sizing/refresher.js';
import { loadCertificate, selfSignedCertificate, type ServingCertificate } from './tls/certificates.js';

/** Optional parts a caller (tests, the CLI) may supply instead of the defaults. */
export interface ServerDeps {
  logger?: FastifyBaseLogger;
  certificate?: ServingCertificate;
  inventory?: Inventory;
  metrics?: Metrics;
  /** Clock for exemption expiry (tests pin it). */
  now?: () => Date;
  /** Observed sizing: a fixed clock or Prometheus API, and `manual` to refresh only when called. */
  sizing?: SizingStartOptions;
  /** Clock in milliseconds the snapshot's age is measured with (tests pin it). */
  clock?: () => number;
}

/** A built, not yet listening meshguard: the HTTPS admission app and the plain-HTTP probe app. */
export interface MeshguardServer {
  app: FastifyInstance;
  probes: FastifyInstance;
  services: AdmissionServices;
  /** Finished reloads of the bundle, org config and certificate (`reload` events). */
  events: ReloadEvents;
  /** The serving certificate; undefined in serverless mode (TLS ends at the platform). */
  certificate: ServingCertificate | undefined;
  /** Binds both listeners to the configured ports (0 picks free ones) and returns the ports. */
  listen(): Promise<{ port: number; probePort: number }>;
  /**
   * Readiness false, wait `graceMs` for load balancers and the API server to notice (requests are
   * still answered, each with `Connection: close`), then close.
   */
  shutdown(graceMs?: number): Promise<void>;
  /** Closes both listeners (in-flight requests finish) and stops every watcher. */
  close(): Promise<void>;
}

/**
 * The composition root: loads the certificate, the org config and the policy bundle, and registers
 * error handling, the body parser and the routes in a fixed order. Never listens by itself.
 */
export async function buildServer(config: Config, deps: ServerDeps = {}): Promise<MeshguardServer> {
  const log = deps.logger ?? createLogger(config);
  const metrics = deps.metrics ?? new Metrics();
  const readiness = new Readiness();
  const events = new ReloadEvents();
  const inventory = deps.inventory ?? new Inventory();
  const serverless = config.mode === 'serverless';

  const policy = new PolicyService({
    bundlePath: config.policyBundle, orgConfigPath: config.orgConfig, memoryMiB: config.policyMemoryMiB,
    debounceMs: config.dataDebounceMs, watchIntervalMs: config.watchIntervalMs, inventory, metrics, readiness, log, events,
    istioRootNamespace: config.istioRootNamespace,
    evaluation: { workers: config.evaluationWorkers, timeoutMs: config.evaluationTimeoutMs, queueLimit: config.evaluationQueueLimit },
  });
  // Serverless: no informers; the cluster context comes from a snapshot, read while the bundle loads
  // and the listener starts. A snapshot loaded before the org config is pushed by policy.start().
  const context = serverless ? new SnapshotContext({
    source: config.snapshot, maxAgeSeconds: config.snapshotMaxAgeSeconds, refreshSeconds: config.snapshotRefreshSeconds,
    inventory, metrics, readiness, log, loaded: () => (policy.org ? policy.pushNow() : undefined), ...(deps.clock ? { now: deps.clock } : {}),
  }) : undefined;
  context?.start();
  // The org config and the bundle load and the evaluation worker starts while the certificate is
  // made and the listeners are built; nothing that serves is registered before it has finished.
  const policyStarted = policy.start({ watch: !serverless });
  policyStarted.catch(() => undefined);
  let certificate: ServingCertificate | undefined;
  try {
    certificate = serverless ? undefined : (deps.certificate ?? (await resolveCertificate(config, log)));
  } catch (err) {
    context?.stop();
    await policyStarted.then(() => policy.close(), () => undefined);
    throw err;
  }
  if (certificate) reportCertificate(certificate, metrics, readiness);
  const { app, probes } = listeners(config, log, certificate);
  registerErrorHandling(app);
  registerHttpLimits(app, { maxInFlight: config.maxInFlight, readiness, metrics });
  registerJsonBody(app, config.bodyLimit);
  if (!serverless) registerErrorHandling(probes, { admissionPort: () => portOf(app) });
  try {
    await policyStarted;
  } catch (err) {
    context?.stop();
    throw err;
  }
  metrics.readinessChecks = () => readiness.report().checks;
  let sizing: SizingRefresher;
  try {
    sizing = startSizing(() => policy.org, metrics, log, deps.sizing);
  } catch (err) {
    context?.stop();
    await policy.close();
    throw err;
  }
  const services: AdmissionServices = { config, metrics, readiness, policy, inventory, log, sizing, ...(deps.now ? { now: deps.now } : {}), ...(context ? { context } : {}) };
  await app.register(admissionRoutes, { services });
  await probes.register(probeRoutes, { readiness, metrics });

  const stops: Array<() => void> = [() => policy.stop(), () => sizing.stop(), () => context?.stop()];
  if (config.tlsCertFile && config.tlsKeyFile && !deps.certificate && !serverless) {
    stops.push(await watchCertificate(app.server as unknown as HttpsServer, config.tlsCertFile, config.tlsKeyFile, config.watchIntervalMs, { metrics, readiness, log, events }));
  }
  const close = async (): Promise<void> => {
    for (const stop of stops.splice(0)) stop();
    await Promise.all(serverless ? [app.close()] : [app.close(), probes.close()]);
    // After the listeners: in-flight requests finish their evaluations first.
    await policy.close();
  };
  return {
    app, probes, services, events, certificate, close,
    async listen() {
      await app.listen({ host: config.host, port: config.port });
      if (serverless) return { port: portOf(app), probePort: portOf(app) };
      await probes.listen({ host: config.host, port: config.probePort });
      if (kubeEnabled(config)) {
        // Loaded after the listeners are up: the Kubernetes client is slow to import and the
        // first AdmissionReview must not wait for it. Not ready until the informers have synced.
        readiness.set('kube', false, 'starting the cluster view');
        const { startCluster } = await import('./cluster.js');
        const cluster = await startCluster({ config, inventory, metrics, readiness, log, policy, certificate: certificate as ServingCertificate });
        stops.push(() => cluster.stop());
      }
      return { port: portOf(app), probePort: portOf(probes) };
    },
    async shutdown(graceMs = config.shutdownGraceMs) {
      readiness.drain();
      log.info({ graceMs }, 'shutting down: readiness is false, draining');
      // Unref'd: the listeners keep the process alive during the grace, the timer alone does not.
      await new Promise((resolve) => setTimeout(resolve, graceMs).unref());
      await close();
    },
  };
}

/**
 * The admission app (HTTPS with the certificate, plain HTTP in serverless mode) and the probe app
 * (the same app in serverless mode: one port, the platform ends TLS and probes the same URL).
 * Requests that arrive while closing are still answered (with Connection: close), not refused.
 */
function listeners(config: Config, log: FastifyBaseLogger, certificate: ServingCertificate | undefined): { app: FastifyInstance; probes: FastifyInstance } {
  const timeouts = listenerTimeouts(config);
  const app = Fastify({
    loggerInstance: log, logController: quietRequests(), bodyLimit: config.bodyLimit, ...timeouts.fastify,
    ...(certificate ? { https: { ...tlsOptions(certificate), ...timeouts.node } } : { http: timeouts.node }), return503OnClosing: false, forceCloseConnections: 'idle',
  });
  const probes = config.mode === 'serverless' ? app : Fastify({ loggerInstance: log, logController: quietRequests(), ...timeouts.fastify, http: timeouts.node });
  return { app, probes };
}

/**
 * The process logger: JSON lines on stdout through an asynchronous, buffered destination, so one
 * log line per admission does not cost a synchronous write(2) on the request path. `flushLogs`
 * drains it before the process exits.
 */
export function createLogger(config: Config): FastifyBaseLogger {
  return pino({ level: config.logLevel, base: { service: 'meshguard' } }, pino.destination({ dest: 1, sync: false, minLength: 4096 })) as FastifyBaseLogger;
}

/** Writes out whatever the asynchronous log destination still holds. */
export function flushLogs(log: FastifyBaseLogger): Promise<void> {
  const flush = (log as unknown as { flush?: (cb: (err?: Error) => void) => void }).flush;
  if (!flush) return Promise.resolve();
  return new Promise((resolve) => flush.call(log, () => resolve()));
}

/** Fastify's own per-request log lines off: meshguard writes one admission line per request itself. */
function quietRequests(): LogController {
  return new LogController({ disableRequestLogging: true });
}

/** kube=auto turns the cluster view on inside a cluster or with an explicit kubeconfig. */
export function kubeEnabled(config: Config, env: NodeJS.ProcessEnv = process.env): boolean {
  if (config.kube === 'on') return true;
  if (config.kube === 'off') return false;
  return Boolean(config.kubeconfig || env.KUBERNETES_SERVICE_HOST);
}

function portOf(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

async function resolveCertificate(config: Config, log: FastifyBaseLogger): Promise<ServingCertificate> {
  if (config.tlsCertFile && config.tlsKeyFile) return loadCertificate(config.tlsCertFile, config.tlsKeyFile);
  const cert = await selfSignedCertificate();
  log.warn({ notAfter: cert.notAfter.toISOString() }, 'no tlsCertFile configured: serving a generated self-signed certificate for localhost (local use only)');
  return cert;
}
