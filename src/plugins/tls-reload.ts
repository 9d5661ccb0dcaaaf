import type { Server as HttpsServer } from 'node:https';
import type { FastifyBaseLogger } from 'fastify';
import { describeError } from '../errors.js';
import { watchFiles } from '../file-watch.js';
import type { Metrics } from '../metrics.js';
import type { Readiness } from '../readiness.js';
import { loadCertificate, type ServingCertificate } from '../tls/certificates.js';

/** TLS settings for the admission listener: TLS 1.2 minimum. */
export function tlsOptions(cert: ServingCertificate): { cert: string; key: string; minVersion: 'TLSv1.2' } {
  return { cert: cert.cert, key: cert.key, minVersion: 'TLSv1.2' };
}

/** Records a certificate in metrics and readiness. */
export function reportCertificate(cert: ServingCertificate, metrics: Metrics, readiness: Readiness): void {
  metrics.certificateExpiry.set(cert.notAfter.getTime() / 1000);
  const expired = cert.notAfter.getTime() <= Date.now();
  readiness.set('tls', !expired, expired ? `certificate from ${cert.source} expired at ${cert.notAfter.toISOString()}` : `certificate from ${cert.source}, valid until ${cert.notAfter.toISOString()}`);
}

/**
 * Watches the certificate and key files and swaps the listener's secure context when they change
 * (cert-manager and kubelet rotate them in place). New connections get the new certificate; a
 * broken pair is logged and the old one keeps serving. Returns a function that stops watching.
 */
export function watchCertificate(
  server: HttpsServer, certFile: string, keyFile: string, intervalMs: number,
  deps: { metrics: Metrics; readiness: Readiness; log: FastifyBaseLogger },
): () => void {
  return watchFiles([certFile, keyFile], intervalMs, () => {
    loadCertificate(certFile, keyFile).then((cert) => {
      server.setSecureContext(tlsOptions(cert));
      reportCertificate(cert, deps.metrics, deps.readiness);
      deps.metrics.certificateReloads.inc({ result: 'success' });
      deps.log.info({ notAfter: cert.notAfter.toISOString() }, 'serving certificate reloaded');
    }).catch((err: unknown) => {
      deps.metrics.certificateReloads.inc({ result: 'failure' });
      deps.log.error({ err: describeError(err) }, 'serving certificate reload failed; keeping the current one');
    });
  });
}
