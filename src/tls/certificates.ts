import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { selfSignedPem } from './self-signed.js';

/** A serving certificate and key in PEM, with the facts meshguard reports about it. */
export interface ServingCertificate {
  cert: string;
  key: string;
  /** notAfter, for the expiry metric and /readyz. */
  notAfter: Date;
  /** Where it came from: the file paths, or "self-signed". */
  source: string;
}

/** Reads a PEM certificate and key, checking that both parse and that they belong together. */
export async function loadCertificate(certFile: string, keyFile: string): Promise<ServingCertificate> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  } catch (err) {
    throw new MeshguardError(ErrorCodes.TLS_LOAD, `cannot read TLS certificate or key: ${describeError(err)}`);
  }
  return describe(cert, key, `${certFile}, ${keyFile}`);
}

function describe(cert: string, key: string, source: string): ServingCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new MeshguardError(ErrorCodes.TLS_LOAD, `TLS certificate from ${source} does not parse: ${describeError(err)}`);
  }
  if (!key.includes('PRIVATE KEY')) throw new MeshguardError(ErrorCodes.TLS_LOAD, `TLS key from ${source} is not a PEM private key`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new MeshguardError(ErrorCodes.TLS_LOAD, `TLS key from ${source} does not parse: ${describeError(err)}`);
  }
  // A rotation writes two files; between the writes the pair does not belong together.
  if (!x509.checkPrivateKey(privateKey)) throw new MeshguardError(ErrorCodes.TLS_LOAD, `TLS certificate and key from ${source} do not belong together`);
  return { cert, key, notAfter: new Date(x509.validTo), source };
}

/**
 * A self-signed certificate for localhost, 127.0.0.1 and ::1 (and `hosts`), valid for a year: the
 * embedded default for local runs. Never for a cluster: the API server needs a CA it can be given.
 */
export async function selfSignedCertificate(hosts: string[] = []): Promise<ServingCertificate> {
  const now = Date.now();
  const pems = selfSignedPem({
    commonName: 'meshguard.localhost',
    altNames: ['localhost', '127.0.0.1', '::1', ...hosts],
    notBefore: new Date(now),
    notAfter: new Date(now + 365 * 24 * 3600 * 1000),
  });
  return describe(pems.cert, pems.key, 'self-signed');
}
