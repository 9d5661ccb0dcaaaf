import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { RawJsonBody } from '../admission/body.js';
import { assertAdmissionReview } from '../admission/guards.js';
import { mutateAdmission } from '../admission/mutate.js';
import type { AdmissionServices } from '../admission/services.js';
import { validateAdmission } from '../admission/validate.js';

/** POST /validate and POST /mutate: guard the body, one service call, one AdmissionReview back. */
export const admissionRoutes: FastifyPluginAsync<{ services: AdmissionServices }> = async (app: FastifyInstance, { services }) => {
  // Serverless: the first requests after a cold start wait (within the deadline) for the one
  // snapshot read they all share, so none is judged for lack of context.
  const context = services.context;
  if (context) app.addHook('preHandler', async () => context.settled(services.config.evaluationTimeoutMs));
  app.post('/validate', async (req) => {
    const body = req.body as RawJsonBody;
    const review = assertAdmissionReview(body?.json);
    return validateAdmission(services, review.request, body.raw);
  });
  app.post('/mutate', async (req) => {
    const body = req.body as RawJsonBody;
    const review = assertAdmissionReview(body?.json);
    return mutateAdmission(services, review.request);
  });
};
