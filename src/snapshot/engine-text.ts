/**
 * The payload of a version 2 snapshot carries, besides the objects, where the engine's text of each
 * kind's namespaces and index lies in the payload bytes (`engine`: byte ranges). The objects are
 * written exactly as the engine encodes them (policy/engine-data.ts), so a cold instance takes that
 * text as it is instead of trimming and stringifying ten thousand objects again.
 */
import type { KubeObject } from '../inventory/objects.js';
import { writeObject, type KindJSON } from '../policy/engine-data.js';
import { indexOf } from '../policy/inventory-index.js';

/** `[start, end)` byte offsets in the payload. */
export type ByteRange = [number, number];

/** Where one kind's engine text lies in the payload. */
export interface KindRanges {
  namespaces: Record<string, ByteRange>;
  index: ByteRange | null;
}

/** Trimmed objects by kind, namespace and name. */
export type TrimmedInventory = Record<string, Record<string, Record<string, KubeObject>>>;

/**
 * The payload bytes `{"inventory":…,"index":…,"scopes":…,"engine":…}`: each namespace's objects as
 * the engine's JSON of them, each kind's index as the engine's, and the byte ranges of both.
 */
export function writePayload(inventory: TrimmedInventory, scopes: Record<string, string[]>): Buffer {
  const pieces: string[] = [];
  let at = 0;
  const emit = (text: string): ByteRange => {
    const start = at;
    pieces.push(text);
    at += Buffer.byteLength(text);
    return [start, at];
  };
  const engine: Record<string, KindRanges> = {};
  emit('{"inventory":');
  writeObject(Object.entries(inventory), emit, (namespaces, kind) => {
    const ranges: Record<string, ByteRange> = {};
    writeObject(Object.entries(namespaces), emit, (names, ns) => {
      ranges[ns] = emit(JSON.stringify(names));
    });
    engine[kind] = { namespaces: ranges, index: null };
  });
  emit(',"index":');
  const indexes = Object.entries(inventory).flatMap(([kind, namespaces]): Array<[string, unknown]> => {
    const index = indexOf(kind, namespaces);
    return index === undefined ? [] : [[kind, index]];
  });
  writeObject(indexes, emit, (index, kind) => {
    (engine[kind] as KindRanges).index = emit(JSON.stringify(index));
  });
  emit(`,"scopes":${JSON.stringify(scopes)},"engine":${JSON.stringify(engine)}}`);
  return Buffer.from(pieces.join(''));
}

/**
 * The engine's text of each kind, cut from the payload bytes by the ranges; undefined when a
 * range does not lie within the payload (the snapshot is then read as objects only).
 */
export function readEngineText(payload: Buffer, engine: Record<string, KindRanges>): Map<string, KindJSON> | undefined {
  const cut = (r: unknown): string | undefined => {
    if (!Array.isArray(r) || r.length !== 2) return undefined;
    const [start, end] = r as unknown[];
    if (!Number.isInteger(start) || !Number.isInteger(end) || (start as number) < 0 || (end as number) > payload.length || (start as number) > (end as number)) return undefined;
    return payload.toString('utf8', start as number, end as number);
  };
  const kinds = new Map<string, KindJSON>();
  for (const [kind, ranges] of Object.entries(engine)) {
    const namespaces = new Map<string, string>();
    for (const [ns, r] of Object.entries(ranges.namespaces ?? {})) {
      const text = cut(r);
      if (text === undefined) return undefined;
      namespaces.set(ns, text);
    }
    const index = ranges.index === null ? undefined : cut(ranges.index);
    if (ranges.index !== null && index === undefined) return undefined;
    kinds.set(kind, { namespaces, index });
  }
  return kinds;
}
