import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import request from 'supertest';
import { loadConfig } from '../../src/config.js';
import type { Inventory } from '../../src/inventory/inventory.js';
import type { ReloadEvent, ReloadSource } from '../../src/reload-events.js';
import { buildServer, type MeshguardServer, type ServerDeps } from '../../src/server.js';
import { selfSignedCertificate, type ServingCertificate } from '../../src/tls/certificates.js';
import { builtinBundle } from './paths.js';

let cert: Promise<ServingCertificate> | undefined;

/** One self-signed certificate shared by a test file's servers (generation takes time). */
export function testCertificate(): Promise<ServingCertificate> {
  cert ??= selfSignedCertificate();
  return cert;
}

/** Writes an org config YAML to a temp file and returns its path. */
export async function orgConfigFile(yaml: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-org-'));
  const file = path.join(dir, 'org.yaml');
  await writeFile(file, yaml);
  return file;
}

/**
 * Builds the real server (buildServer, real TLS, real Wasm bundle) with test-friendly settings:
 * free ports, no cluster view, silent logs unless a logger is given.
 */
export async function testServer(
  flags: Record<string, unknown> = {},
  deps: { inventory?: Inventory; logger?: FastifyBaseLogger; certificateFromConfig?: boolean; now?: () => Date; sizing?: ServerDeps['sizing'] } = {},
): Promise<MeshguardServer> {
  // A deadline no test object comes near on a loaded machine: a test's decision is the rules', never
  // a timeout, unless the test sets evaluationTimeoutMs itself.
  const config = loadConfig({
    port: 0, probePort: 0, host: '127.0.0.1', kube: 'off', logLevel: 'silent', policyBundle: builtinBundle, watchIntervalMs: 100, evaluationTimeoutMs: 30000, ...flags,
  }, {});
  const server = await buildServer(config, {
    ...(deps.certificateFromConfig ? {} : { certificate: await testCertificate() }),
    logger: deps.logger ?? (pino({ level: 'silent' }) as FastifyBaseLogger),
    ...(deps.inventory ? { inventory: deps.inventory } : {}),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sizing ? { sizing: deps.sizing } : {}),
  });
  await server.app.ready();
  await server.probes.ready();
  return server;
}

/** POSTs a JSON body to the HTTPS admission app through supertest, trusting the test certificate. */
export function post(server: MeshguardServer, route: '/validate' | '/mutate', body: unknown, contentType = 'application/json'): request.Test {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return request(server.app.server).post(route).ca(server.certificate!.cert).set('content-type', contentType).send(payload);
}

/**
 * The next finished reload of `source` (the server's own `reload` event, emitted after logs,
 * metrics and readiness are updated). Call it before changing the file.
 */
export function nextReload(server: MeshguardServer, source: ReloadSource, guardMs = 60_000): Promise<ReloadEvent> {
  return new Promise((resolve, reject) => {
    // A guard, not a timing: it fails a test whose reload never comes (and keeps the event loop
    // alive meanwhile, since the file watchers do not).
    const guard = setTimeout(() => {
      server.events.off('reload', listener);
      reject(new Error(`no ${source} reload within ${guardMs} ms`));
    }, guardMs);
    const listener = (event: ReloadEvent): void => {
      if (event.source !== source) return;
      server.events.off('reload', listener);
      clearTimeout(guard);
      resolve(event);
    };
    server.events.on('reload', listener);
  });
}

/** Replaces a file the way a complete write should: a temporary file beside it, then a rename. */
export async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  await writeFile(tmp, data);
  await rename(tmp, file);
}
