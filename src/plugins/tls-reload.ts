import type { Server as HttpsServer } from 'node:https';
import type { FastifyBaseLogger } from 'fastify';
import { describeError, withoutPaths } from '../errors.js';
import { watchSettled } from '../file-watch.js';
import type { Metrics } from '../metrics.js';
import type { Readiness } from '../readiness.js';
import type { ReloadEvents } from '../reload-events.js';
import { loadCertificate, type ServingCertificate } from '../tls/certificates.js';

/**
 * TLS 1.3 suites first, then TLS 1.2 with ECDHE key exchange and AEAD ciphers only (AES-GCM,
 * ChaCha20-Poly1305): no CBC, no SHA-1 MACs, no static RSA key exchange.
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** TLS settings for the admission listener: TLS 1.3 preferred, TLS 1.2 limited to ECDHE + AEAD, our order. */
export function tlsOptions(cert: ServingCertificate): { cert: string; key: string; minVersion: 'TLSv1.2'; ciphers: string; honorCipherOrder: true } {
  return { cert: cert.cert, key: cert.key, minVersion: 'TLSv1.2', ciphers: TLS_CIPHERS, honorCipherOrder: true };
}

/** Records a certificate in metrics and readiness. */
export function reportCertificate(cert: ServingCertificate, metrics: Metrics, readiness: Readiness): void {
  metrics.certificateExpiry.set(cert.notAfter.getTime() / 1000);
  const expired = cert.notAfter.getTime() <= Date.now();
  const source = withoutPaths(cert.source);
  readiness.set('tls', !expired, expired ? `certificate from ${source} expired at ${cert.notAfter.toISOString()}` : `certificate from ${source}, valid until ${cert.notAfter.toISOString()}`);
}

/** What a certificate watcher reports to. */
export interface CertificateWatchDeps {
  metrics: Metrics;
  readiness: Readiness;
  log: FastifyBaseLogger;
  events?: ReloadEvents;
}

/**
 * Watches the certificate and key files and swaps the listener's secure context once they are
 * stable and belong together (cert-manager and kubelet rotate them in place). New connections get
 * the new certificate; a broken pair is retried, then logged, and the old one keeps serving
 * (degraded). Resolves, once watching, to a function that stops.
 */
export function watchCertificate(server: HttpsServer, certFile: string, keyFile: string, intervalMs: number, deps: CertificateWatchDeps): Promise<() => void> {
  let serving = deps.readiness.report().checks.tls?.detail ?? 'the previous certificate';
  return watchSettled([certFile, keyFile], intervalMs, () => loadCertificate(certFile, keyFile), (outcome) => {
    if (outcome.ok) {
      server.setSecureContext(tlsOptions(outcome.value));
      reportCertificate(outcome.value, deps.metrics, deps.readiness);
      serving = deps.readiness.report().checks.tls?.detail ?? serving;
      deps.metrics.certificateReloads.inc({ result: 'success' });
      deps.metrics.certificateDegraded.set(0);
      deps.log.info({ notAfter: outcome.value.notAfter.toISOString() }, 'serving certificate reloaded');
    } else {
      const message = describeError(outcome.error);
      const failed = withoutPaths(message.split('\n')[0] ?? '');
      const degraded = deps.readiness.degrade('tls', `${serving}; the last reload failed: ${failed}`, failed);
      deps.metrics.certificateReloads.inc({ result: 'failure' });
      deps.metrics.certificateDegraded.set(1);
      deps.log.error({ err: message, attempts: outcome.attempts, degraded: true, degradedSince: degraded.since }, 'serving certificate reload failed; the current one keeps serving (degraded)');
    }
    deps.events?.reloaded({ source: 'certificate', result: outcome.ok ? 'success' : 'failure' });
  });
}
