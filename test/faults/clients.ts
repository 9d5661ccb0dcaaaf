/**
 * Clients for the fault suite: a plain HTTPS POST that reports status, headers and the peer
 * certificate, concurrent request loops, raw TLS sockets for stalled bodies, and a logger whose
 * lines the test can read.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, symlinkSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { Writable } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';

/** One HTTPS answer. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The serving certificate's CN. */
  peer: string;
}

/** POSTs JSON to 127.0.0.1:port over HTTPS with the given agent. */
export function postJson(agent: https.Agent, port: number, route: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let peer = '';
    const req = https.request({ host: '127.0.0.1', port, path: route, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), peer }));
      res.on('error', reject);
    });
    // Read while the connection is up: a closed socket no longer knows its peer.
    req.on('socket', (socket) => {
      const tls = socket as TLSSocket;
      const read = (): void => {
        const cn = tls.getPeerCertificate().subject?.CN;
        peer = Array.isArray(cn) ? cn.join(',') : (cn ?? '');
      };
      if (tls.connecting) tls.once('secureConnect', read);
      else read();
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Runs `workers` loops; each calls `step(worker, i)` until it returns false. Resolves with every
 * loop's count; rejects on the first error (a failed request is a failed test).
 */
export async function loops(workers: number, step: (worker: number, i: number) => Promise<boolean>): Promise<number[]> {
  return Promise.all(Array.from({ length: workers }, async (_, w) => {
    let i = 0;
    while (await step(w, i)) i++;
    return i + 1;
  }));
}

/** A promise and its resolver, for "the test has reached this point" signals. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A self-signed EC certificate for 127.0.0.1 with the given CN, written as tls.crt/tls.key in `dir`. */
export function makeCert(dir: string, cn: string): { cert: string; key: string } {
  const cert = path.join(dir, 'tls.crt');
  const key = path.join(dir, 'tls.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

/**
 * A directory laid out as the kubelet mounts a Secret: `tls.crt` and `tls.key` are symlinks into
 * `..data`, itself a symlink to the directory of the version served. Every version is written up
 * front (`versions[i]` is its certificate and key, one per common name); `rotate(i)` swaps both
 * files at once, the kubelet's way (`..data` renamed over by a new link), so no reader ever sees
 * one version's certificate with another's key.
 */
export function secretVolume(dir: string, cns: string[]): { cert: string; key: string; versions: Array<{ cert: string; key: string }>; rotate(i: number): void } {
  const versions = cns.map((cn, i) => {
    const target = path.join(dir, `..version_${i}`);
    mkdirSync(target);
    return makeCert(target, cn);
  });
  symlinkSync('..version_0', path.join(dir, '..data'));
  for (const file of ['tls.crt', 'tls.key']) symlinkSync(path.join('..data', file), path.join(dir, file));
  return {
    cert: path.join(dir, 'tls.crt'),
    key: path.join(dir, 'tls.key'),
    versions,
    rotate(i: number): void {
      const link = path.join(dir, '..data_tmp');
      symlinkSync(`..version_${i}`, link);
      renameSync(link, path.join(dir, '..data'));
    },
  };
}

/**
 * Opens a TLS connection and sends a request's headers and part of its body, then nothing more.
 * Resolves once the bytes are written; `closed` resolves with what the server sent before it
 * closed the connection.
 */
export function stalledRequest(port: number, route: string, declaredLength: number, sent: string): Promise<{ socket: TLSSocket; closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const head = `POST ${route} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${declaredLength}\r\n\r\n`;
      socket.write(head + sent, () => resolve({ socket, closed }));
    });
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString('utf8')));
    const closed = new Promise<string>((r) => socket.once('close', () => r(received)));
    socket.on('error', reject);
  });
}

/** A pino logger that keeps every line in memory, parsed. */
export function memoryLogger(level = 'info'): { logger: FastifyBaseLogger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream) as FastifyBaseLogger, lines };
}
