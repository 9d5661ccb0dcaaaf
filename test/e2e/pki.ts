import { generateKeyPairSync } from 'node:crypto';
import { generate } from 'selfsigned';

/** A PEM certificate and its private key. */
export interface Pem {
  cert: string;
  key: string;
}

/** Everything the end-to-end cluster needs, all EC P-256 (fast to make), valid for two days. */
export interface ClusterPki {
  ca: Pem;
  apiserver: Pem;
  /** Client certificate CN meshguard-admin, O system:masters. */
  admin: Pem;
  /** meshguard's serving certificate for 127.0.0.1 / localhost, signed by `ca`. */
  meshguard: Pem;
  /** Service-account token signing key pair. */
  serviceAccount: { privateKey: string; publicKey: string };
}

const DAY = 24 * 3600 * 1000;

/** A CA certificate (basicConstraints CA, keyCertSign). */
export async function makeCa(cn: string): Promise<Pem> {
  const pems = await generate([{ name: 'commonName', value: cn }], {
    keyType: 'ec', algorithm: 'sha256', notAfterDate: new Date(Date.now() + 2 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A leaf certificate signed by `ca` (or self-signed when `ca` is omitted). */
export async function makeLeaf(opts: { cn: string; org?: string; ca?: Pem; server?: { dns: string[]; ips: string[] }; client?: boolean }): Promise<Pem> {
  const attrs = [{ name: 'commonName', value: opts.cn }, ...(opts.org ? [{ name: 'organizationName', value: opts.org }] : [])];
  const altNames = [
    ...(opts.server?.dns ?? []).map((value) => ({ type: 2 as const, value })),
    ...(opts.server?.ips ?? []).map((ip) => ({ type: 7 as const, ip })),
  ];
  const pems = await generate(attrs, {
    keyType: 'ec', algorithm: 'sha256', notAfterDate: new Date(Date.now() + 2 * DAY),
    ...(opts.ca ? { ca: opts.ca } : {}),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: Boolean(opts.server), clientAuth: Boolean(opts.client) },
      ...(altNames.length > 0 ? [{ name: 'subjectAltName' as const, altNames }] : []),
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Makes the CA, the API server's serving certificate, the admin client certificate and meshguard's. */
export async function makeClusterPki(): Promise<ClusterPki> {
  const ca = await makeCa('meshguard-e2e-ca');
  const [apiserver, admin, meshguard] = await Promise.all([
    makeLeaf({
      cn: 'kube-apiserver', ca,
      server: { dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'], ips: ['127.0.0.1', '10.0.0.1'] },
    }),
    makeLeaf({ cn: 'meshguard-admin', org: 'system:masters', ca, client: true }),
    makeLeaf({ cn: 'meshguard.localhost', ca, server: { dns: ['localhost'], ips: ['127.0.0.1'] } }),
  ]);
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return { ca, apiserver, admin, meshguard, serviceAccount: { privateKey: sa.privateKey, publicKey: sa.publicKey } };
}
