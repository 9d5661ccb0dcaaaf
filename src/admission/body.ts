import type { FastifyInstance } from 'fastify';
import { ErrorCodes, MeshguardError } from '../errors.js';

/** A parsed AdmissionReview body with the bytes it came from (handed to Wasm as they are). */
export interface RawJsonBody {
  json: unknown;
  raw: ArrayBuffer;
}

/**
 * Registers the JSON body parser for admission routes: it keeps the raw bytes next to the parsed
 * value, so the policy engine gets the request body as received instead of a re-serialised copy.
 * It is the only parser: any other content type is answered 415.
 */
export function registerJsonBody(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => {
    const buf = body as Buffer;
    let json: unknown;
    try {
      json = JSON.parse(buf.toString('utf8'));
    } catch (err) {
      done(new MeshguardError(ErrorCodes.ADMISSION_BAD_REQUEST, invalidJsonMessage(err, buf.byteLength), { statusCode: 400 }), undefined);
      return;
    }
    const raw = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    done(null, { json, raw } satisfies RawJsonBody);
  });
}

/**
 * Why a body is not JSON, by position only: the parser's own message quotes the input, and an
 * answer never echoes body bytes back.
 */
export function invalidJsonMessage(err: unknown, length: number): string {
  const text = err instanceof Error ? err.message : '';
  const position = /at position (\d+)/.exec(text)?.[1] ?? (/Unexpected end of JSON input/.test(text) ? String(length) : undefined);
  return position === undefined ? 'body is not valid JSON' : `body is not valid JSON from byte ${position}`;
}
