/**
 * A minimal DER (ITU-T X.690) encoder: the handful of ASN.1 types an X.509 certificate is made of.
 * Each function returns one complete TLV (tag, length, value).
 */

/** Tag numbers of the universal types used here, and the context-specific tag classes. */
const TAG = { boolean: 0x01, integer: 0x02, bitString: 0x03, octetString: 0x04, oid: 0x06, utf8String: 0x0c, sequence: 0x30, set: 0x31, utcTime: 0x17, generalizedTime: 0x18 } as const;

/** The DER length octets: short form below 128, else long form with the fewest bytes. */
function lengthOctets(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with an arbitrary tag octet. */
export function tlv(tag: number, value: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthOctets(value.length), value]);
}

/** SEQUENCE of already encoded elements, in order. */
export function sequence(...elements: Uint8Array[]): Buffer {
  return tlv(TAG.sequence, Buffer.concat(elements));
}

/** SET of already encoded elements (DER sorts a SET OF by encoding; callers here pass one element). */
export function set(...elements: Uint8Array[]): Buffer {
  return tlv(TAG.set, Buffer.concat([...elements].sort(Buffer.compare)));
}

/** BOOLEAN (DER: TRUE is 0xff). */
export function boolean(value: boolean): Buffer {
  return tlv(TAG.boolean, Buffer.from([value ? 0xff : 0x00]));
}

/**
 * INTEGER from an unsigned big-endian magnitude or a small non-negative number: leading zero
 * bytes dropped, one 0x00 added when the top bit is set so the value stays positive.
 */
export function integer(value: number | Uint8Array): Buffer {
  let bytes: Buffer;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`DER integer must be a non-negative safe integer, got ${value}`);
    const out: number[] = [];
    for (let n = value; n > 0; n = Math.floor(n / 256)) out.unshift(n % 256);
    bytes = Buffer.from(out);
  } else {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0) start++;
    bytes = Buffer.from(value.subarray(start));
  }
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.integer, bytes);
}

/** OBJECT IDENTIFIER from its dotted form, e.g. "1.2.840.10045.4.3.2". */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => {
    if (!/^\d+$/.test(arc)) throw new RangeError(`invalid OID ${JSON.stringify(dotted)}`);
    return Number(arc);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2 || (first < 2 && second > 39)) throw new RangeError(`invalid OID ${JSON.stringify(dotted)}`);
  const out: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const base128: number[] = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) base128.unshift(0x80 | (n % 128));
    out.push(...base128);
  }
  return tlv(TAG.oid, Buffer.from(out));
}

/** BIT STRING of whole bytes, or of `bitLength` bits (the unused low bits of the last byte are zero). */
export function bitString(bytes: Uint8Array, bitLength = bytes.length * 8): Buffer {
  const unused = bytes.length * 8 - bitLength;
  if (unused < 0 || unused > 7) throw new RangeError(`bit length ${bitLength} does not fit ${bytes.length} bytes`);
  return tlv(TAG.bitString, Buffer.concat([Buffer.from([unused]), bytes]));
}

/** OCTET STRING. */
export function octetString(bytes: Uint8Array): Buffer {
  return tlv(TAG.octetString, bytes);
}

/** UTF8String. */
export function utf8String(text: string): Buffer {
  return tlv(TAG.utf8String, Buffer.from(text, 'utf8'));
}

/**
 * A certificate validity time as RFC 5280 4.1.2.5 wants it: UTCTime (YYMMDDHHMMSSZ) for years
 * 1950-2049, GeneralizedTime (YYYYMMDDHHMMSSZ) otherwise; seconds precision, always UTC.
 */
export function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(TAG.utcTime, Buffer.from(digits.slice(2), 'ascii'));
  return tlv(TAG.generalizedTime, Buffer.from(digits, 'ascii'));
}

/** A context-specific constructed tag `[n]` wrapping encoded elements (EXPLICIT tagging). */
export function explicit(n: number, ...elements: Uint8Array[]): Buffer {
  return tlv(0xa0 | n, Buffer.concat(elements));
}

/** A context-specific primitive tag `[n]` holding raw bytes (IMPLICIT tagging of a primitive). */
export function implicit(n: number, bytes: Uint8Array): Buffer {
  return tlv(0x80 | n, bytes);
}
