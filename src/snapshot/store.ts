import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import type { KubeHttp } from '../kube/client.js';
import { decodeSnapshot, type Snapshot } from './format.js';

/** The key of the snapshot in a ConfigMap's binaryData or a Secret's data. */
export const SNAPSHOT_KEY = 'snapshot.gz';
/** Kubernetes refuses objects above 1 MiB; this leaves room for the object's metadata. */
export const OBJECT_SNAPSHOT_LIMIT = 1024 * 1024 - 16 * 1024;
/** Largest compressed snapshot read from a file or URL. */
export const MAX_COMPRESSED_BYTES = 128 * 1024 * 1024;

/** Where a snapshot is written: a file, a ConfigMap or Secret, or an HTTP(S) URL (PUT). */
export type SnapshotTarget =
  | { type: 'file'; path: string }
  | { type: 'configmap' | 'secret'; namespace: string; name: string }
  | { type: 'url'; url: string };

const OBJECT_TARGET = /^(configmap|secret):([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/;

/** Parses `configmap:<ns>/<name>`, `secret:<ns>/<name>`, `http(s)://...` or a file path. */
export function parseTarget(spec: string): SnapshotTarget {
  const object = OBJECT_TARGET.exec(spec);
  if (object) return { type: object[1] as 'configmap' | 'secret', namespace: object[2] as string, name: object[4] as string };
  if (/^(configmap|secret):/.test(spec)) throw new MeshguardError(ErrorCodes.CONFIG_INVALID, `snapshot target ${JSON.stringify(spec)} must be configmap:<namespace>/<name> or secret:<namespace>/<name>`);
  if (/^https?:\/\//.test(spec)) return { type: 'url', url: spec };
  return { type: 'file', path: spec };
}

/** Human-readable name of a target for logs and messages (no credentials: URL query dropped). */
export function describeTarget(target: SnapshotTarget): string {
  if (target.type === 'file') return target.path;
  if (target.type === 'url') return redactUrl(target.url);
  return `${target.type}:${target.namespace}/${target.name}`;
}

/** A URL without its query and credentials (pre-signed object-store URLs carry secrets there). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid URL>';
  }
}

/**
 * Writes snapshot bytes. A ConfigMap or Secret is size-checked against the 1 MiB object limit
 * first (MG_ERR_SNAPSHOT_TOO_LARGE names the alternative) and server-side applied; a file is
 * replaced atomically (write, then rename); a URL gets a PUT.
 */
export async function writeSnapshot(target: SnapshotTarget, bytes: Buffer, kube?: () => KubeHttp): Promise<void> {
  if (target.type === 'file') {
    const tmp = path.join(path.dirname(target.path), `.${path.basename(target.path)}.${process.pid}.tmp`);
    await writeFile(tmp, bytes);
    await rename(tmp, target.path);
    return;
  }
  if (target.type === 'url') {
    const res = await fetch(target.url, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/gzip' } }).catch((err: unknown) => {
      throw new MeshguardError(ErrorCodes.SNAPSHOT_UNREADABLE, `cannot PUT the snapshot to ${redactUrl(target.url)}: ${describeError(err)}`);
    });
    if (!res.ok) throw new MeshguardError(ErrorCodes.SNAPSHOT_UNREADABLE, `PUT ${redactUrl(target.url)} answered ${res.status}`);
    return;
  }
  const encoded = Math.ceil(bytes.length / 3) * 4;
  if (encoded > OBJECT_SNAPSHOT_LIMIT) {
    throw new MeshguardError(ErrorCodes.SNAPSHOT_TOO_LARGE, `the snapshot is ${bytes.length} bytes compressed (${encoded} in base64); a ${target.type === 'configmap' ? 'ConfigMap' : 'Secret'} holds at most 1 MiB: write it to an HTTP(S) URL instead`);
  }
  if (!kube) throw new MeshguardError(ErrorCodes.KUBE_CONFIG, `writing ${describeTarget(target)} needs a cluster connection`);
  const data = { [SNAPSHOT_KEY]: bytes.toString('base64') };
  const body = target.type === 'configmap'
    ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: target.name, namespace: target.namespace, labels: { 'app.kubernetes.io/part-of': 'meshguard' } }, binaryData: data }
    : { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: target.name, namespace: target.namespace, labels: { 'app.kubernetes.io/part-of': 'meshguard' } }, data };
  const plural = target.type === 'configmap' ? 'configmaps' : 'secrets';
  await kube().request(`/api/v1/namespaces/${target.namespace}/${plural}/${target.name}`, {
    method: 'PATCH', body, contentType: 'application/apply-patch+yaml', query: { fieldManager: 'meshguard-snapshot', force: true },
  });
}

/** What a conditional read found. */
export type ReadOutcome = { changed: false } | { changed: true; snapshot: Snapshot; tag: string };

/**
 * Reads a snapshot from a file (a mounted ConfigMap or Secret, or any path) or an HTTP(S) URL.
 * `knownTag` makes it conditional: an unchanged file (same bytes) or a URL answering 304 to
 * If-None-Match returns `{ changed: false }` without decoding. Anything unreadable, oversized or
 * failing verification throws a coded error; the caller keeps what it has.
 */
export async function readSnapshot(source: string, knownTag?: string): Promise<ReadOutcome> {
  if (/^https?:\/\//.test(source)) return readUrl(source, knownTag);
  let bytes: Buffer;
  try {
    bytes = await readFile(source);
  } catch (err) {
    throw new MeshguardError(ErrorCodes.SNAPSHOT_UNREADABLE, `cannot read snapshot ${source}: ${describeError(err)}`);
  }
  if (bytes.length > MAX_COMPRESSED_BYTES) throw new MeshguardError(ErrorCodes.SNAPSHOT_TOO_LARGE, `snapshot ${source} is ${bytes.length} bytes; at most ${MAX_COMPRESSED_BYTES} are read`);
  const tag = createHash('sha256').update(bytes).digest('hex');
  if (tag === knownTag) return { changed: false };
  return { changed: true, snapshot: await decodeSnapshot(bytes, path.basename(source)), tag };
}

async function readUrl(url: string, knownTag: string | undefined): Promise<ReadOutcome> {
  const shown = redactUrl(url);
  let res: Response;
  try {
    res = await fetch(url, { headers: knownTag ? { 'if-none-match': knownTag } : {}, signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    throw new MeshguardError(ErrorCodes.SNAPSHOT_UNREADABLE, `cannot fetch snapshot ${shown}: ${describeError(err)}`);
  }
  if (res.status === 304 && knownTag) return { changed: false };
  if (!res.ok) throw new MeshguardError(ErrorCodes.SNAPSHOT_UNREADABLE, `snapshot ${shown} answered ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_COMPRESSED_BYTES) {
    await res.body?.cancel();
    throw new MeshguardError(ErrorCodes.SNAPSHOT_TOO_LARGE, `snapshot ${shown} is ${declared} bytes; at most ${MAX_COMPRESSED_BYTES} are read`);
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_COMPRESSED_BYTES) throw new MeshguardError(ErrorCodes.SNAPSHOT_TOO_LARGE, `snapshot ${shown} is ${bytes.length} bytes; at most ${MAX_COMPRESSED_BYTES} are read`);
  const snapshot = await decodeSnapshot(bytes, shown);
  return { changed: true, snapshot, tag: res.headers.get('etag') ?? snapshot.header.digest };
}
