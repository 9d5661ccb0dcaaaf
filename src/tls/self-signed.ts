import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { bitString, boolean, explicit, implicit, integer, octetString, oid, sequence, set, time, utf8String } from './der.js';

/** OIDs of the certificate fields written here (RFC 5280, RFC 5758). */
const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** What to put in a self-signed serving certificate. */
export interface SelfSignedRequest {
  commonName: string;
  /** Subject alternative names: IPv4/IPv6 literals become iPAddress entries, anything else dNSName. */
  altNames: string[];
  notBefore: Date;
  notAfter: Date;
}

/**
 * A self-signed X.509 v3 serving certificate with a fresh EC P-256 key, signed with ECDSA-SHA256:
 * subject = issuer = CN, basicConstraints cA false, keyUsage digitalSignature, extKeyUsage
 * serverAuth, and the subject alternative names. Built with node:crypto and a DER encoder.
 */
export function selfSignedPem(request: SelfSignedRequest): { cert: string; key: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const name = sequence(set(sequence(oid(OID.commonName), utf8String(request.commonName))));
  // A positive 64-bit random serial (RFC 5280 allows up to 20 octets; the top bit cleared keeps it 8).
  const serial = randomBytes(8);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(serial),
    algorithm,
    name,
    sequence(time(request.notBefore), time(request.notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions(request.altNames))),
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  return { cert: pem('CERTIFICATE', der), key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

function extensions(altNames: string[]): Buffer[] {
  const extension = (id: string, critical: boolean, value: Buffer): Buffer => sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
  return [
    extension(OID.basicConstraints, true, sequence()),
    extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 1)),
    extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
    extension(OID.subjectAltName, false, sequence(...altNames.map(generalName))),
  ];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * A GeneralName: `[7] iPAddress` for an IP literal, `[2] dNSName` otherwise. (A name with a colon
 * can only be IPv6; node:net's isIPv6 would compile its large pattern at start for this.)
 */
function generalName(value: string): Buffer {
  if (IPV4.test(value)) return implicit(7, Buffer.from(value.split('.').map(Number)));
  if (value.includes(':')) return implicit(7, ipv6Bytes(value));
  return implicit(2, Buffer.from(value, 'ascii'));
}

/** The 16 bytes of an IPv6 literal (`::` shorthand and an embedded IPv4 tail allowed); RangeError if it is none. */
export function ipv6Bytes(literal: string): Buffer {
  let text = literal;
  const v4 = /:((\d+)\.(\d+)\.(\d+)\.(\d+))$/.exec(text);
  if (v4?.[1]) {
    if (!IPV4.test(v4[1])) throw new RangeError(`invalid IPv6 address ${JSON.stringify(literal)}`);
    const [a, b, c, d] = v4[1].split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  const shorthand = tail !== undefined && left.length + right.length < 8;
  if (text.split('::').length > 2 || all.length !== 8 || (tail !== undefined && !shorthand) || !all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) {
    throw new RangeError(`invalid IPv6 address ${JSON.stringify(literal)}`);
  }
  const out = Buffer.alloc(16);
  all.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16), i * 2));
  return out;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
