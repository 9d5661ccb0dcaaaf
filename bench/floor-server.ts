/**
 * The floor: the least an admission webhook can do over HTTPS. A bare Fastify 5 server with the
 * same kind of certificate (EC P-256, from files), the same body limit and the same JSON parsing
 * as meshguard (JSON.parse of the raw body), answering every AdmissionReview `allowed: true` with
 * the request's uid. Anything meshguard costs above this is meshguard's own work.
 *
 * Usage: node dist/bench/floor-server.js --port <p> --cert <pem> --key <pem> [--host 127.0.0.1]
 *        node dist/bench/floor-server.js --plain [--port <p>]   (plain HTTP, port from $PORT: the serverless floor)
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';

/** meshguard's default bodyLimit (src/config.ts). */
const FLOOR_BODY_LIMIT = 3 * 1024 * 1024;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, cert: { type: 'string' }, key: { type: 'string' }, plain: { type: 'boolean', default: false } },
  });
  const port = values.port ?? (values.plain ? process.env.PORT : undefined);
  if (!port || (!values.plain && (!values.cert || !values.key))) {
    console.error('usage: floor-server --port <p> --cert <pem> --key <pem> [--host 127.0.0.1] | --plain [--port <p>]');
    process.exit(2);
  }
  const tls = values.plain ? {} : { https: { cert: readFileSync(values.cert as string), key: readFileSync(values.key as string) } };
  const app = Fastify({ logger: false, bodyLimit: FLOOR_BODY_LIMIT, ...tls });
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, JSON.parse((body as Buffer).toString('utf8')));
    } catch (err) {
      (err as { statusCode?: number }).statusCode = 400;
      done(err as Error, undefined);
    }
  });
  const answer = async (req: { body: unknown }) => {
    const uid = (req.body as { request?: { uid?: unknown } } | null)?.request?.uid;
    return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: typeof uid === 'string' ? uid : '', allowed: true } };
  };
  app.post('/validate', answer);
  app.post('/mutate', answer);
  await app.listen({ host: values.host, port: Number(port) });
  const stop = (): void => void app.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
