import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import type { RuleCatalog } from './types.js';

/** The parts of an `opa build -t wasm` bundle meshguard uses. */
export interface PolicyBundle {
  wasm: Uint8Array;
  /** The bundle's data.json (policy data; `meshguard.catalog` among it). */
  data: Record<string, unknown>;
  catalog: RuleCatalog;
  /** sha256 of the bundle file, first 12 hex digits: the version label in logs and metrics. */
  version: string;
  path: string;
}

/** Reads and unpacks a bundle file; throws MG_ERR_POLICY_BUNDLE_INVALID naming what is wrong. */
export async function readBundle(path: string): Promise<PolicyBundle> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    throw new MeshguardError(ErrorCodes.POLICY_BUNDLE_INVALID, `cannot read policy bundle ${path}: ${describeError(err)}`);
  }
  const files = await untar(raw, path);
  const wasm = files.get('policy.wasm');
  if (!wasm) throw new MeshguardError(ErrorCodes.POLICY_BUNDLE_INVALID, `policy bundle ${path} has no policy.wasm (build it with opa build -t wasm)`);
  let data: Record<string, unknown> = {};
  const dataJson = files.get('data.json');
  if (dataJson) {
    try {
      data = JSON.parse(dataJson.toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new MeshguardError(ErrorCodes.POLICY_BUNDLE_INVALID, `policy bundle ${path} has an unreadable data.json: ${describeError(err)}`);
    }
  }
  const meshguard = (data.meshguard ?? {}) as { catalog?: RuleCatalog };
  return {
    wasm: new Uint8Array(wasm),
    data,
    catalog: meshguard.catalog ?? {},
    version: createHash('sha256').update(raw).digest('hex').slice(0, 12),
    path,
  };
}

async function untar(raw: Buffer, path: string): Promise<Map<string, Buffer>> {
  let tarBytes: Buffer;
  try {
    tarBytes = gunzipSync(raw);
  } catch (err) {
    throw new MeshguardError(ErrorCodes.POLICY_BUNDLE_INVALID, `policy bundle ${path} is not gzip: ${describeError(err)}`);
  }
  const files = new Map<string, Buffer>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        files.set(header.name.replace(/^\/+/, ''), Buffer.concat(chunks));
        next();
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(tarBytes);
  try {
    await done;
  } catch (err) {
    throw new MeshguardError(ErrorCodes.POLICY_BUNDLE_INVALID, `policy bundle ${path} is not a tar archive: ${describeError(err)}`);
  }
  return files;
}
