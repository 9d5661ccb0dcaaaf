import type { FastifyError, FastifyInstance } from 'fastify';
import { MeshguardError } from '../errors.js';

/** Fastify's own client-error codes and the status each answers with. */
const CLIENT_ERRORS: Record<string, number> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 413,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 415,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 400,
  FST_ERR_CTP_EMPTY_JSON_BODY: 400,
  FST_ERR_CTP_INVALID_JSON_BODY: 400,
};

/**
 * Answers every failure with `{code, message}` on one line: 4xx for bodies that are not usable
 * AdmissionReviews, a generic 500 otherwise. Stack traces go to the log, never to the client.
 * With `probe`, an unknown route says it reached the probe port and which port serves admission.
 */
export function registerErrorHandling(app: FastifyInstance, probe?: { admissionPort: () => number }): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof MeshguardError && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ code: error.code, message: error.message });
    }
    const status = error.code ? CLIENT_ERRORS[error.code] : undefined;
    if (status !== undefined) {
      const message = status === 413
        ? `request body exceeds the limit of ${request.routeOptions.bodyLimit ?? 'configured'} bytes`
        : status === 415
          ? `content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not supported; send application/json`
          : error.message;
      return reply.code(status).send({ code: error.code, message });
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ code: error.code ?? 'MG_ERR_BAD_REQUEST', message: error.message.split('\n')[0] });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ code: 'MG_ERR_INTERNAL', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) => {
    const route = `${request.method} ${request.url}`;
    const message = probe
      ? `no route ${route} on the probe port (plain HTTP: GET /livez, GET /readyz, GET /metrics); admission is served over HTTPS on port ${probe.admissionPort()}: POST /mutate, POST /validate`
      : `no route ${route}; use POST /mutate or POST /validate`;
    reply.code(404).send({ code: 'MG_ERR_NOT_FOUND', message });
  });
}
