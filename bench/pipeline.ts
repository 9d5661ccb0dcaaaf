/**
 * Where one admission's CPU time goes, measured in-process without network or TLS, as CPU time
 * per call (process.cpuUsage, so a busy machine inflates it less than wall time): the whole app
 * through Fastify's `inject` (meshguard at warn and at info, and a floor app), the admission
 * function alone, the policy engine or mutation runner alone, and JSON.parse of the body.
 * Differences between the rows attribute the cost.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { mutateAdmission, mutationEnvOf } from '../src/admission/mutate.js';
import type { AdmissionRequest } from '../src/admission/types.js';
import { validateAdmission } from '../src/admission/validate.js';
import { loadConfig } from '../src/config.js';
import { builtinMutators, mutate } from '../src/mutation/index.js';
import { buildServer, type MeshguardServer } from '../src/server.js';
import { selfSignedCertificate, type ServingCertificate } from '../src/tls/certificates.js';
import type { Payload } from './payloads.js';

/** One row: what was measured and its CPU µs per call, for /validate (mix) and /mutate (Pod). */
export interface PipelineRow {
  step: string;
  validateUs: number;
  mutateUs: number;
}

/** CPU µs per call of `fn`: warm up for `warmMs`, then run for `ms`. */
async function cpuUs(fn: () => Promise<unknown> | unknown, warmMs: number, ms: number): Promise<number> {
  const w = performance.now();
  while (performance.now() - w < warmMs) await fn();
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await fn();
    n++;
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}

/** The floor's app without a listener: JSON.parse of the body, allowed with the uid. */
function floorApp(): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 3 * 1024 * 1024 });
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, JSON.parse((body as Buffer).toString('utf8'))));
  const answer = async (req: { body: unknown }) => ({
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: (req.body as { request: { uid: string } }).request.uid, allowed: true },
  });
  app.post('/validate', answer);
  app.post('/mutate', answer);
  return app;
}

async function meshguardApp(level: 'warn' | 'info', certificate: ServingCertificate): Promise<MeshguardServer> {
  // As meshguard's own logger (src/server.ts createLogger), to /dev/null instead of stdout.
  const log = pino({ level, base: { service: 'meshguard' } }, pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 }));
  const server = await buildServer(loadConfig({ kube: 'off', logLevel: level }, {}), { certificate, logger: log as FastifyBaseLogger });
  await server.app.ready();
  return server;
}

function rotating<T>(items: T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length] as T;
}

/** Measures every step for the /validate mix and the /mutate Pod. */
export async function runPipeline(validate: Payload[], mutatePods: Payload[], opts: { warmMs: number; ms: number }): Promise<PipelineRow[]> {
  const certificate = await selfSignedCertificate();
  const rows: PipelineRow[] = [];
  const time: Timer = (fn) => cpuUs(fn, opts.warmMs, opts.ms);
  const injectRow = async (step: string, app: FastifyInstance): Promise<void> => {
    const call = (url: string, next: () => Payload) => async () => {
      const res = await app.inject({ method: 'POST', url, payload: next().body, headers: { 'content-type': 'application/json' } });
      if (res.statusCode !== 200) throw new Error(`${step} ${url}: HTTP ${res.statusCode} ${res.body}`);
    };
    rows.push({ step, validateUs: await time(call('/validate', rotating(validate))), mutateUs: await time(call('/mutate', rotating(mutatePods))) });
  };
  const floor = floorApp();
  await floor.ready();
  await injectRow('floor app (inject)', floor);
  await floor.close();
  for (const level of ['warn', 'info'] as const) {
    const server = await meshguardApp(level, certificate);
    await injectRow(`meshguard app at ${level} (inject)`, server.app);
    if (level === 'warn') rows.push(await stubbedEngineRow(server, validate, time), ...await handlerRows(server, validate, mutatePods, time));
    await server.close();
  }
  const vb = rotating(validate.map((p) => Buffer.from(p.body)));
  const mb = rotating(mutatePods.map((p) => Buffer.from(p.body)));
  rows.push({ step: 'JSON.parse of the body', validateUs: await time(() => JSON.parse(vb().toString('utf8'))), mutateUs: await time(() => JSON.parse(mb().toString('utf8'))) });
  return rows;
}

type Timer = (fn: () => Promise<unknown> | unknown) => Promise<number>;

/**
 * The app with the policy engine replaced by one that finds nothing: what meshguard costs around
 * the evaluation (guards, decision, metrics, response). /validate only.
 */
async function stubbedEngineRow(server: MeshguardServer, validate: Payload[], time: Timer): Promise<PipelineRow> {
  const holder = server.services.policy.holder;
  const real = holder.current.bind(holder);
  const engine = real();
  if (!engine) throw new Error('no policy engine loaded');
  holder.current = () => ({ version: engine.version, catalog: engine.catalog, evaluate: async () => [], setData: () => {}, retire: async () => {}, close: async () => {} });
  try {
    const next = rotating(validate);
    const validateUs = await time(async () => {
      const res = await server.app.inject({ method: 'POST', url: '/validate', payload: next().body, headers: { 'content-type': 'application/json' } });
      if (res.statusCode !== 200) throw new Error(`stubbed /validate: HTTP ${res.statusCode}`);
    });
    return { step: 'meshguard app at warn, policy engine stubbed (inject)', validateUs, mutateUs: NaN };
  } finally {
    holder.current = real;
  }
}

/** The admission functions alone, then the engine and the mutation runner alone. */
async function handlerRows(server: MeshguardServer, validate: Payload[], mutatePods: Payload[], time: Timer): Promise<PipelineRow[]> {
  const s = server.services;
  const reqs = (ps: Payload[]) => ps.map((p) => ({ request: p.review.request as AdmissionRequest, raw: rawOf(p.body) }));
  const v = rotating(reqs(validate));
  const m = rotating(reqs(mutatePods));
  const engine = s.policy.holder.current();
  const env = mutationEnvOf(s.policy.org, s.inventory, s.policy.meshFacts);
  return [{
    step: 'validateAdmission / mutateAdmission alone',
    validateUs: await time(() => {
      const x = v();
      // A fresh copy per call, as each webhook request has its own: the pool moves the bytes to a worker.
      return validateAdmission(s, x.request, x.raw.slice(0));
    }),
    mutateUs: await time(() => mutateAdmission(s, m().request)),
  }, {
    step: 'serving engine (worker pool) / mutation runner alone',
    validateUs: await time(() => {
      const x = v();
      return engine?.evaluate(x.raw.slice(0), x.request.kind.kind);
    }),
    mutateUs: await time(() => {
      const r = m().request;
      return mutate({ operation: r.operation, kind: r.kind.kind, namespace: r.namespace ?? '', object: r.object ?? {}, dryRun: false }, env, builtinMutators);
    }),
  }];
}

function rawOf(body: string): ArrayBuffer {
  const buf = Buffer.from(body);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
