import type { Config } from './config.js';
import { buildServer, flushLogs } from './server.js';

/**
 * Starts meshguard: build the server, listen, and on SIGTERM/SIGINT turn readiness false, let
 * in-flight requests finish, then exit. Nothing else happens here.
 */
export async function main(config: Config): Promise<void> {
  const server = await buildServer(config);
  let ports: { port: number; probePort: number };
  try {
    ports = await server.listen();
  } catch (err) {
    // A port in use or a failed cluster view: stop the policy workers and watchers so the process exits.
    await server.close().catch(() => undefined);
    throw err;
  }
  const { port, probePort } = ports;
  server.app.log.info({ port, probePort, policyVersion: server.services.policy.holder.status.version ?? null }, 'meshguard listening');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'signal received');
    server.shutdown().then(
      () => flushLogs(server.app.log).then(() => process.exit(0)),
      (err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        void flushLogs(server.app.log).then(() => process.exit(1));
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
