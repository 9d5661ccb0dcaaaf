import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { ErrorCodes } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Readiness } from '../readiness.js';

/** The routes the in-flight bound applies to. */
const ADMISSION_ROUTES = new Set(['/validate', '/mutate']);

/** Listener timeouts in the two shapes they are given in: Fastify's options and Node's server options. */
export interface ListenerTimeouts {
  fastify: { connectionTimeout: number; keepAliveTimeout: number; requestTimeout: number };
  node: { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number };
}

/**
 * The timeouts of both listeners, from the settings. Node enforces the headers and request
 * timeouts on a periodic sweep; the sweep runs often enough (a tenth of the shorter timeout, at
 * most once a second) that a stalled request is cut close to its deadline.
 */
export function listenerTimeouts(config: Config): ListenerTimeouts {
  const sweep = Math.max(10, Math.min(1000, Math.floor(Math.min(config.headersTimeoutMs, config.requestTimeoutMs) / 10)));
  return {
    fastify: { connectionTimeout: config.connectionTimeoutMs, keepAliveTimeout: config.keepAliveTimeoutMs, requestTimeout: config.requestTimeoutMs },
    node: { headersTimeout: config.headersTimeoutMs, requestTimeout: config.requestTimeoutMs, keepAliveTimeout: config.keepAliveTimeoutMs, connectionsCheckingInterval: sweep },
  };
}

/**
 * Bounds the admission requests held at once (body being received, or being evaluated) and closes
 * connections while draining:
 * - beyond `maxInFlight`, an admission request is answered 503 with `Connection: close` before
 *   its body is read, so a flood of slow bodies cannot buffer without limit;
 * - once shutdown has begun every response carries `Connection: close`, so each keep-alive
 *   connection ends after its in-flight request instead of being reset when the listener closes.
 */
export function registerHttpLimits(app: FastifyInstance, opts: { maxInFlight: number; readiness: Readiness; metrics: Metrics }): void {
  let inFlight = 0;
  app.addHook('onRequest', async (request, reply) => {
    if (!ADMISSION_ROUTES.has(request.routeOptions.url ?? '')) return;
    if (inFlight >= opts.maxInFlight) {
      opts.metrics.admissionShed.inc();
      request.log.warn({ maxInFlight: opts.maxInFlight }, 'admission request shed: maxInFlight reached');
      return reply.code(503).header('connection', 'close').header('retry-after', '1')
        .send({ code: ErrorCodes.ADMISSION_OVERLOADED, message: `meshguard is already handling ${opts.maxInFlight} admission requests (maxInFlight); retry` });
    }
    inFlight++;
    // 'close' fires once, whether the response finished or the connection was cut.
    reply.raw.once('close', () => inFlight--);
  });
  app.addHook('onSend', async (_request, reply) => {
    if (opts.readiness.draining) reply.header('connection', 'close');
  });
}
