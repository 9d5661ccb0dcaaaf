/**
 * The inventory as the policy engine receives it: `data.meshguard.inventory` (objects trimmed to
 * the fields rules read) and `data.meshguard.index` (lookups built once per change, so that rules
 * find the workloads a selector matches without scanning every workload). Both are encoded to JSON
 * once per changed kind and cached, so one changed object re-encodes its kind only, and the
 * document is assembled from the cached strings.
 */
import type { Inventory } from '../inventory/inventory.js';
import type { KubeObject } from '../inventory/objects.js';
import { indexOf } from './inventory-index.js';
import { trimForEngine } from './trim.js';

/** Receives a document's JSON text piece by piece (see {@link utf8Document}). */
export type EmitJSON = (text: string) => void;

/** JSON text the engine inserts into its data document as it is. */
export class RawJSON {
  /**
   * `json` is the text, or a function making it when it is needed, by emitting it in pieces or
   * returning it whole (a patched push never needs the whole inventory's text, and a whole push
   * writes the pieces into one buffer without joining them). `kinds`: for an encoded inventory,
   * the JSON of each kind (unchanged kinds keep the same string; what {@link planPatches} compares).
   */
  constructor(private readonly source: string | ((emit: EmitJSON) => string | void), readonly kinds?: ReadonlyMap<string, KindJSON>) {}

  /** Emits the text in pieces. */
  write(emit: EmitJSON): void {
    const whole = typeof this.source === 'string' ? this.source : this.source(emit);
    if (typeof whole === 'string') emit(whole);
  }

  /** The whole text (made on every call: the engine writes the pieces instead). */
  get json(): string {
    const pieces: string[] = [];
    this.write((t) => pieces.push(t));
    return pieces.join('');
  }
}

/**
 * UTF-8 bytes of JSON text given in pieces, in one buffer of exactly their size: no joined string
 * and no copy of the bytes.
 */
export function utf8Document(write: (emit: EmitJSON) => void): ArrayBuffer {
  const pieces: string[] = [];
  write((t) => pieces.push(t));
  let size = 0;
  for (const p of pieces) size += Buffer.byteLength(p);
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const p of pieces) at += out.write(p, at);
  return out.buffer as ArrayBuffer;
}

/** `data.meshguard.inventory` and `data.meshguard.index` of one inventory. */
export interface InventoryData {
  inventory: RawJSON;
  index: RawJSON;
}

/** One kind's objects (per namespace) and index as JSON text. */
export interface KindJSON {
  namespaces: ReadonlyMap<string, string>;
  index: string | undefined;
}

/** A replacement of the value at one path of the data document (`data.meshguard.inventory.VirtualService.shop`); `json` null removes it. */
export interface DataPatch {
  path: string[];
  json: Uint8Array | null;
}

/** The parts of the engine's data {@link planPatches} compares (EngineData's shape). */
export interface EngineParts {
  config: unknown;
  inventory: unknown;
  index?: unknown;
  scopes?: unknown;
  meshConfig?: unknown;
}

/**
 * The parts of `data.meshguard` besides the inventory, as the whole document holds them (a part
 * not given is `{}`), by the path a patch replaces.
 */
const SMALL_PARTS: ReadonlyArray<[keyof EngineParts, string]> = [['config', 'config'], ['scopes', 'inventory_scopes'], ['meshConfig', 'meshConfig']];

/**
 * The patches that turn the data document of `before` into that of `after`, or undefined when a
 * whole push is needed: no previous push, a previous push without a single object (a cold
 * instance's first data, e.g. a snapshot: one whole document parses faster than a patch per
 * namespace), a kind or the index disappeared, or the inventory is not an encoded one. Only the namespaces whose objects changed are sent, and the index of a kind when
 * it changed: one changed object re-sends its namespace of its kind, not the inventory. A changed
 * org config, scopes or mesh config is sent as the replacement of that part alone.
 */
export function planPatches(before: EngineParts | undefined, after: EngineParts): DataPatch[] | undefined {
  const [a, b] = [before?.inventory, after.inventory];
  if (!before || !(a instanceof RawJSON) || !(b instanceof RawJSON) || !a.kinds || !b.kinds) return undefined;
  if (before.index === undefined || after.index === undefined) return undefined;
  if ([...a.kinds.values()].every((k) => k.namespaces.size === 0)) return undefined;
  for (const kind of a.kinds.keys()) if (!b.kinds.has(kind)) return undefined;
  const encoder = new TextEncoder();
  const patches: DataPatch[] = [];
  for (const [part, key] of SMALL_PARTS) {
    const [was, now] = [before[part], after[part]];
    if (was === now) continue;
    // A document without an org config leaves the bundle's own: a whole push says that.
    if (part === 'config' && (was === undefined || now === undefined)) return undefined;
    const json = JSON.stringify(now ?? {});
    if (json !== JSON.stringify(was ?? {})) patches.push({ path: ['meshguard', key], json: encoder.encode(json) });
  }
  for (const [kind, now] of b.kinds) {
    const was = a.kinds.get(kind);
    if (now.index === undefined && was?.index !== undefined) return undefined;
    if (!was) patches.push({ path: ['meshguard', 'inventory', kind], json: encoder.encode(kindText(now)) });
    else {
      for (const [ns, json] of now.namespaces) if (was.namespaces.get(ns) !== json) patches.push({ path: ['meshguard', 'inventory', kind, ns], json: encoder.encode(json) });
      for (const ns of was.namespaces.keys()) if (!now.namespaces.has(ns)) patches.push({ path: ['meshguard', 'inventory', kind, ns], json: null });
    }
    if (now.index !== undefined && was?.index !== now.index) patches.push({ path: ['meshguard', 'index', kind], json: encoder.encode(now.index) });
  }
  return patches;
}

/** Options of the encoding (tests turn trimming off to prove it changes no decision). */
export interface EncodeOptions {
  trim: boolean;
}

interface KindCache extends KindJSON {
  version: number;
  /** The objects each namespace's JSON was made from (reused while they are the same objects). */
  sources: Map<string, KubeObject[]>;
}

/** Emits the JSON object `{"<key>": <value>, ...}` of `entries`, each value written by `value`. */
export function writeObject<V>(entries: Iterable<[string, V]>, emit: EmitJSON, value: (v: V, key: string) => void): void {
  let sep = '{';
  for (const [key, v] of entries) {
    emit(`${sep}${JSON.stringify(key)}:`);
    value(v, key);
    sep = ',';
  }
  emit(sep === '{' ? '{}' : '}');
}

/** `{"<namespace>": <objects>, ...}` of one kind. */
function writeKind(k: KindJSON, emit: EmitJSON): void {
  writeObject(k.namespaces, emit, (json) => emit(json));
}

function kindText(k: KindJSON): string {
  return new RawJSON((emit) => writeKind(k, emit)).json;
}

class InventoryEncoder {
  private readonly kinds = new Map<string, KindCache>();

  constructor(private readonly inventory: Inventory, private readonly opts: EncodeOptions) {}

  data(): InventoryData {
    const kinds = new Map<string, KindJSON>();
    const present = this.inventory.kinds();
    for (const kind of present) {
      const { namespaces, index } = this.cached(kind);
      kinds.set(kind, { namespaces, index });
    }
    for (const kind of this.kinds.keys()) if (!present.includes(kind)) this.kinds.delete(kind);
    const objects = (emit: EmitJSON): void => writeObject(kinds, emit, (v) => writeKind(v, emit));
    const indexes = [...kinds].flatMap(([k, v]): Array<[string, string]> => (v.index === undefined ? [] : [[k, v.index]]));
    const index = (emit: EmitJSON): void => writeObject(indexes, emit, (json) => emit(json));
    return { inventory: new RawJSON(objects, kinds), index: new RawJSON(index) };
  }

  /**
   * Takes a kind's JSON made elsewhere for the objects the inventory holds now (a snapshot's): used
   * as if this encoder had made it, when it covers exactly the namespaces the inventory holds.
   */
  prime(kind: string, text: KindJSON): void {
    const byNamespace = this.inventory.kindJSON(kind);
    const names = Object.keys(byNamespace);
    if (names.length !== text.namespaces.size || !names.every((ns) => text.namespaces.has(ns))) return;
    const sources = new Map(names.map((ns) => [ns, Object.values(byNamespace[ns] ?? {})]));
    const namespaces = new Map(names.map((ns) => [ns, text.namespaces.get(ns) as string]));
    this.kinds.set(kind, { version: this.inventory.kindVersion(kind), namespaces, sources, index: text.index });
  }

  /** A kind's JSON: namespaces whose objects are the same ones as last time keep their text. */
  private cached(kind: string): KindCache {
    const version = this.inventory.kindVersion(kind);
    const hit = this.kinds.get(kind);
    if (hit && hit.version === version) return hit;
    const byNamespace = this.inventory.kindJSON(kind);
    const trim = this.opts.trim ? trimForEngine(kind) : undefined;
    const namespaces = new Map<string, string>();
    const sources = new Map<string, KubeObject[]>();
    for (const [ns, names] of Object.entries(byNamespace)) {
      const objects = Object.values(names);
      const before = hit?.sources.get(ns);
      const same = before !== undefined && before.length === objects.length && before.every((o, i) => o === objects[i]);
      const json = same ? (hit?.namespaces.get(ns) as string) : JSON.stringify(trim ? Object.fromEntries(Object.entries(names).map(([n, o]) => [n, trim(o)])) : names);
      namespaces.set(ns, json);
      sources.set(ns, objects);
    }
    const built = indexOf(kind, byNamespace);
    const index = built === undefined ? undefined : JSON.stringify(built);
    const entry = { version, namespaces, sources, index: hit?.index === index ? hit?.index : index };
    this.kinds.set(kind, entry);
    return entry;
  }
}

const encoders = new WeakMap<Inventory, InventoryEncoder>();
const untrimmed = new WeakMap<Inventory, InventoryEncoder>();

function encoderOf(inventory: Inventory, opts: EncodeOptions): InventoryEncoder {
  const cache = opts.trim ? encoders : untrimmed;
  let encoder = cache.get(inventory);
  if (!encoder) cache.set(inventory, (encoder = new InventoryEncoder(inventory, opts)));
  return encoder;
}

/**
 * Gives the (trimmed) encoding of an inventory a kind's JSON made elsewhere for exactly the objects
 * the inventory holds now: a snapshot carries the text its objects were written as, so a cold
 * instance does not trim and stringify them again. Ignored when its namespaces are not the
 * inventory's.
 */
export function primeInventoryData(inventory: Inventory, kind: string, text: KindJSON): void {
  encoderOf(inventory, { trim: true }).prime(kind, text);
}

/**
 * The engine's view of an inventory, re-encoding only the namespaces that changed since the last
 * call for the same inventory (the encoders live as long as their inventory).
 */
export function inventoryData(inventory: Inventory, opts: EncodeOptions = { trim: true }): InventoryData {
  return encoderOf(inventory, opts).data();
}
