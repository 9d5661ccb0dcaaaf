import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { isRecord, type KubeObject } from '../inventory/objects.js';

/** One object read from a manifest, with where it came from. */
export interface ManifestObject {
  file: string;
  /** 1-based line of the document's start. */
  line: number;
  object: KubeObject;
}

const MANIFEST = /\.(ya?ml|json)$/i;

/** A file to read, and whether it was named directly (not found by walking a directory). */
export interface ManifestFile {
  path: string;
  explicit: boolean;
}

/** Expands files and directories (recursively, .yaml/.yml/.json) in a stable order; `-` is stdin. */
export async function expandPaths(paths: string[]): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push({ path: p, explicit: true });
      continue;
    }
    let info;
    try {
      info = await stat(p);
    } catch (err) {
      throw new MeshguardError(ErrorCodes.INPUT_UNREADABLE, `${p}: ${describeError(err)}`);
    }
    if (!info.isDirectory()) {
      out.push({ path: p, explicit: true });
      continue;
    }
    const entries = (await readdir(p, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile() && MANIFEST.test(e.name))
      .map((e) => path.join(e.parentPath, e.name));
    out.push(...entries.sort().map((f) => ({ path: f, explicit: false })));
  }
  return out;
}

async function readText(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads multi-document YAML or JSON manifests. `List` objects are flattened; empty documents are
 * skipped, and so are files met while walking a directory that hold no Kubernetes objects (with a
 * note through `skipped`). Unreadable input throws MG_ERR_INPUT_UNREADABLE naming the file and line.
 */
export async function readManifests(paths: string[], skipped: (note: string) => void = () => {}): Promise<ManifestObject[]> {
  const out: ManifestObject[] = [];
  for (const file of await expandPaths(paths)) {
    let text: string;
    try {
      text = await readText(file.path);
    } catch (err) {
      throw new MeshguardError(ErrorCodes.INPUT_UNREADABLE, `${file.path}: ${describeError(err)}`);
    }
    try {
      out.push(...parseManifestText(text, file.path === '-' ? '<stdin>' : file.path));
    } catch (err) {
      if (file.explicit || !(err instanceof MeshguardError) || !err.message.includes('not a Kubernetes object')) throw err;
      skipped(`skipped ${file.path}: ${err.message}`);
    }
  }
  return out;
}

/** Parses one file's text into objects (exported for tests). */
export function parseManifestText(text: string, file: string): ManifestObject[] {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: ManifestObject[] = [];
  for (const doc of list) {
    const firstError = doc.errors[0];
    if (firstError) {
      const { line } = lineCounter.linePos(firstError.pos[0]);
      throw new MeshguardError(ErrorCodes.INPUT_UNREADABLE, `${file}:${line}: ${firstError.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    const line = lineCounter.linePos(doc.range[0]).line;
    if (value === null || value === undefined) continue;
    if (!isRecord(value) || typeof value.kind !== 'string') {
      throw new MeshguardError(ErrorCodes.INPUT_UNREADABLE, `${file}:${line}: document is not a Kubernetes object (no kind)`);
    }
    if (value.kind.endsWith('List') && Array.isArray(value.items)) {
      for (const item of value.items) if (isRecord(item)) out.push({ file, line, object: item as KubeObject });
      continue;
    }
    out.push({ file, line, object: value as KubeObject });
  }
  return out;
}
