import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import type { Inventory } from '../inventory/inventory.js';
import { isRecord, type KubeObject } from '../inventory/objects.js';
import { primeInventoryData, type KindJSON } from '../policy/engine-data.js';
import { trimForEngine } from '../policy/trim.js';
import { readEngineText, writePayload, type KindRanges } from './engine-text.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** The `format` field of every snapshot header. */
export const SNAPSHOT_FORMAT = 'meshguard.io/cluster-snapshot';
/**
 * The format version this meshguard writes. Version 2 adds the engine's text of the objects (the
 * payload's `index` and `engine` byte ranges, see engine-text.ts); version 1 is still read.
 */
export const SNAPSHOT_VERSION = 2;
/** The format versions this meshguard reads. */
const READ_VERSIONS: readonly number[] = [1, SNAPSHOT_VERSION];
/** Largest snapshot meshguard reads, uncompressed (a larger one is refused, not parsed). */
export const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;

/** The first line of a snapshot: what it is, when it was taken and the digest of the rest. */
export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  /** When the cluster view was read (ISO 8601): the snapshot's age counts from here. */
  createdAt: string;
  /** `sha256:<hex>` of the payload bytes (everything after the header line). */
  digest: string;
  /** Objects held, all kinds together. */
  objects: number;
}

/** The payload: exactly what the policy engine is given for the inventory. */
export interface SnapshotPayload {
  /**
   * `{ kind: { namespace: { name: object } } }`, as `Inventory.toJSON()` (declared kinds included,
   * even empty), each object trimmed to what the engine gets (policy/trim.ts: workloads keep their
   * identity and pod labels, no object its server bookkeeping).
   */
  inventory: Record<string, Record<string, Record<string, KubeObject>>>;
  /** Kinds watched in some namespaces only (`Inventory.scopes()`). */
  scopes: Record<string, string[]>;
  /** Version 2: where the engine's text of each kind lies in the payload bytes. */
  engine?: Record<string, KindRanges>;
}

/** A decoded, digest-verified snapshot. */
export interface Snapshot {
  header: SnapshotHeader;
  payload: SnapshotPayload;
  /** Version 2: the engine's JSON of each kind, cut from the payload (given to the engine as it is). */
  engineText?: Map<string, KindJSON>;
}

function snapshotError(message: string): MeshguardError {
  return new MeshguardError(ErrorCodes.SNAPSHOT_INVALID, message);
}

/** `sha256:<hex>` of some bytes. */
export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * The artifact for an inventory: gzip of one JSON header line followed by the JSON payload, the
 * header carrying the payload's sha256 digest and the format version. The payload holds the objects
 * as the engine's JSON of them and where that text lies (engine-text.ts).
 */
export async function encodeSnapshot(inventory: Inventory, createdAt: Date = new Date()): Promise<{ bytes: Buffer; header: SnapshotHeader }> {
  const payload = writePayload(trimmed(inventory), inventory.scopes());
  const header: SnapshotHeader = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, createdAt: createdAt.toISOString(), digest: sha256(payload), objects: inventory.size() };
  const bytes = await gzipAsync(Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), payload]));
  return { bytes, header };
}

/** The inventory as the engine gets it: every object trimmed (policy/trim.ts). */
function trimmed(inventory: Inventory): SnapshotPayload['inventory'] {
  const out: SnapshotPayload['inventory'] = {};
  for (const [kind, namespaces] of Object.entries(inventory.toJSON())) {
    const trim = trimForEngine(kind);
    out[kind] = Object.fromEntries(Object.entries(namespaces).map(([ns, names]) => [ns, Object.fromEntries(Object.entries(names).map(([n, o]) => [n, trim(o)]))]));
  }
  return out;
}

/**
 * Decodes and verifies an artifact: gunzip (bounded by MAX_SNAPSHOT_BYTES), header format and
 * version, then the payload's digest. Content whose digest matches is parsed without further
 * checks of every object (it is meshguard's own output); anything else throws
 * MG_ERR_SNAPSHOT_INVALID saying what is wrong.
 */
export async function decodeSnapshot(compressed: Uint8Array, source: string, maxBytes: number = MAX_SNAPSHOT_BYTES): Promise<Snapshot> {
  let raw: Buffer;
  try {
    raw = await gunzipAsync(compressed, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new MeshguardError(ErrorCodes.SNAPSHOT_TOO_LARGE, `snapshot ${source} is larger than ${maxBytes} bytes uncompressed; refused`);
    }
    throw snapshotError(`snapshot ${source} is not a gzip stream: ${describeError(err)}`);
  }
  const newline = raw.indexOf(10);
  if (newline < 0) throw snapshotError(`snapshot ${source} has no header line`);
  const header = parseHeader(raw.subarray(0, newline), source);
  const payloadBytes = raw.subarray(newline + 1);
  const digest = sha256(payloadBytes);
  if (digest !== header.digest) throw snapshotError(`snapshot ${source} does not match its digest (header ${header.digest}, content ${digest}): it was changed or truncated after it was written`);
  let payload: unknown;
  try {
    payload = JSON.parse(payloadBytes.toString('utf8'));
  } catch (err) {
    throw snapshotError(`snapshot ${source} payload is not JSON: ${describeError(err)}`);
  }
  if (!isRecord(payload) || !isRecord(payload.inventory) || !isRecord(payload.scopes)) throw snapshotError(`snapshot ${source} payload has no inventory and scopes`);
  const engineText = isRecord(payload.engine) ? readEngineText(payloadBytes, payload.engine as Record<string, KindRanges>) : undefined;
  return { header, payload: payload as unknown as SnapshotPayload, ...(engineText ? { engineText } : {}) };
}

function parseHeader(bytes: Buffer, source: string): SnapshotHeader {
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw snapshotError(`snapshot ${source} header is not JSON`);
  }
  if (!isRecord(header) || header.format !== SNAPSHOT_FORMAT) throw snapshotError(`snapshot ${source} is not a meshguard cluster snapshot (format ${JSON.stringify(isRecord(header) ? header.format : undefined)})`);
  if (!READ_VERSIONS.includes(header.version as number)) throw snapshotError(`snapshot ${source} has format version ${JSON.stringify(header.version)}; this meshguard reads versions ${READ_VERSIONS.join(' and ')}`);
  if (typeof header.digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(header.digest)) throw snapshotError(`snapshot ${source} header has no sha256 digest`);
  if (typeof header.createdAt !== 'string' || Number.isNaN(Date.parse(header.createdAt))) throw snapshotError(`snapshot ${source} header has no valid createdAt`);
  if (typeof header.objects !== 'number') throw snapshotError(`snapshot ${source} header has no object count`);
  return header as unknown as SnapshotHeader;
}

/**
 * Loads a verified snapshot into an inventory through its public methods (so any indexing the
 * Inventory does applies): every kind of the snapshot replaced whole, kinds the inventory knew
 * but the snapshot lacks emptied, and the scopes recorded; a version 2 snapshot's engine text is
 * given to the engine's encoding of the inventory. Synchronous: no request sees half.
 */
export function loadSnapshot(inventory: Inventory, snapshot: Snapshot): void {
  const { inventory: kinds, scopes } = snapshot.payload;
  for (const kind of inventory.kinds()) if (!(kind in kinds)) inventory.replaceKind(kind, []);
  for (const [kind, namespaces] of Object.entries(kinds)) {
    const objects: KubeObject[] = [];
    for (const names of Object.values(namespaces)) for (const obj of Object.values(names)) objects.push(obj);
    inventory.replaceKind(kind, objects);
    const text = snapshot.engineText?.get(kind);
    if (text) primeInventoryData(inventory, kind, text);
  }
  for (const [kind, namespaces] of Object.entries(scopes)) inventory.scopeKind(kind, namespaces);
}
