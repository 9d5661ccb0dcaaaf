import { X509Certificate } from 'node:crypto';
import type { KubeObject } from './objects.js';
import { isRecord } from './objects.js';
import { stripMetadata } from './strip-metadata.js';

/**
 * What the policy engine may know about a TLS Secret's content, as Istio's gateway
 * SecretAnalyzer judges it (IST0161 InvalidGatewayCredential): whether it holds a certificate
 * and key under Istio's keys (`cert`/`key`, else `tls.crt`/`tls.key`), and whether the
 * certificate parses and is valid now. Never the key material itself.
 */
export interface TlsFacts {
  /** True when Istio would serve the credential. */
  valid: boolean;
  /** Why not, in istioctl's words where it has some; absent when valid. */
  problem?: string;
  /** The certificate's notBefore (ISO 8601), when it parses. */
  notBefore?: string;
  /** The certificate's notAfter (ISO 8601), when it parses. */
  notAfter?: string;
}

const PAIRS: ReadonlyArray<readonly [string, string]> = [['cert', 'key'], ['tls.crt', 'tls.key']];

/** The Secret's entries as text: `data` (base64) overlaid by `stringData`. Bad base64 reads as empty. */
function entries(secret: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(secret.data)) {
    for (const [k, v] of Object.entries(secret.data)) out[k] = typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '';
  }
  if (isRecord(secret.stringData)) {
    for (const [k, v] of Object.entries(secret.stringData)) out[k] = typeof v === 'string' ? v : '';
  }
  return out;
}

/** Istio's ExtractCertInfo: the certificate PEM of the first non-empty key pair, else why none. */
function certificatePem(data: Record<string, string>): { pem: string } | { problem: string } {
  for (const [cert, key] of PAIRS) {
    if (data[cert] && data[key]) return { pem: data[cert] };
  }
  for (const [cert, key] of PAIRS) {
    if (cert in data && key in data) return { problem: `found keys "${cert}" and "${key}", but they were empty` };
  }
  const found = Object.keys(data).sort();
  if (found.length === 0) return { problem: 'found no keys, expected "cert" and "key" or "tls.crt" and "tls.key"' };
  return { problem: `found keys ${found.map((k) => `"${k}"`).join(', ')}, expected "cert" and "key" or "tls.crt" and "tls.key"` };
}

/** Istio's ValidateCertificate: the first PEM certificate parses and `now` is within its validity. */
function judgeCertificate(pem: string, now: Date): TlsFacts {
  const block = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(pem);
  if (!block) return { valid: false, problem: 'the certificate is not PEM' };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(block[0]);
  } catch {
    return { valid: false, problem: 'the certificate does not parse' };
  }
  return validityFacts({ notBefore: new Date(cert.validFrom).toISOString(), notAfter: new Date(cert.validTo).toISOString() }, now);
}

/** Istio's validity check of a parsed certificate at `now`, from its notBefore and notAfter. */
function validityFacts(period: { notBefore: string; notAfter: string }, now: Date): TlsFacts {
  if (now > new Date(period.notAfter)) return { valid: false, problem: `the certificate expired at ${period.notAfter}`, ...period };
  if (now < new Date(period.notBefore)) return { valid: false, problem: `the certificate is not valid before ${period.notBefore}`, ...period };
  return { valid: true, ...period };
}

/**
 * The same facts judged again at `now`: a certificate's validity depends on the time, its other
 * problems do not. Facts without a validity period (no parsable certificate) come back unchanged.
 */
export function rejudgeTlsFacts(facts: TlsFacts, now: Date): TlsFacts {
  const { notBefore, notAfter } = facts;
  return notBefore && notAfter ? validityFacts({ notBefore, notAfter }, now) : facts;
}

/** The first instant after `now` at which {@link rejudgeTlsFacts} may answer differently, if any. */
export function nextTlsChange(facts: TlsFacts, now: Date): number | undefined {
  const t = now.getTime();
  const instants = [facts.notBefore, facts.notAfter].map((v) => (v ? Date.parse(v) : NaN)).filter((v) => v >= t);
  // validityFacts flips strictly after notAfter (now > notAfter), hence the extra millisecond.
  return instants.length > 0 ? Math.min(...instants) + 1 : undefined;
}

/** The TLS facts of a Secret's content at time `now`. */
export function tlsFacts(secret: KubeObject, now: Date): TlsFacts {
  const found = certificatePem(entries(secret));
  if ('problem' in found) return { valid: false, problem: found.problem };
  return judgeCertificate(found.pem, now);
}

/**
 * The copy of a Secret given to the policy engine offline: apiVersion, kind and metadata (as the
 * cluster view keeps them) plus `tlsFacts` computed from its data; the data itself stays out.
 */
export function secretForInventory(secret: KubeObject, now: Date): KubeObject {
  return {
    apiVersion: secret.apiVersion ?? 'v1', kind: 'Secret', metadata: stripMetadata(secret.metadata ?? {}),
    tlsFacts: tlsFacts(secret, now),
  };
}
