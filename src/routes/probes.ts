import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../metrics.js';
import type { Readiness } from '../readiness.js';

/** /livez, /readyz (JSON body naming what is missing) and /metrics on the plain-HTTP probe port. */
export const probeRoutes: FastifyPluginAsync<{ readiness: Readiness; metrics: Metrics }> = async (app: FastifyInstance, { readiness, metrics }) => {
  app.get('/livez', async () => ({ live: true }));
  app.get('/readyz', async (_req, reply) => {
    const report = readiness.report();
    return reply.code(report.ready ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
};
