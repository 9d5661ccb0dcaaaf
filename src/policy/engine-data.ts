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

/** JSON text the engine inserts into its data document as it is. */
export class RawJSON {
  private text: string | undefined;

  /**
   * `json` is the text, or a function making it when it is first needed (a patched push never
   * needs the whole inventory's text). `kinds`: for an encoded inventory, the JSON of each kind
   * (unchanged kinds keep the same string; what {@link planPatches} compares).
   */
  constructor(json: string | (() => string), readonly kinds?: ReadonlyMap<string, KindJSON>) {
    if (typeof json === 'string') this.text = json;
    else this.make = json;
  }

  private make: (() => string) | undefined;

  get json(): string {
    if (this.text === undefined) {
      this.text = this.make?.() ?? 'null';
      this.make = undefined;
    }
    return this.text;
  }
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
 * The patches that turn the data document of `before` into that of `after`, or undefined when a
 * full push is needed: no previous push, parts other than the inventory changed (org config,
 * scopes, mesh config), a kind disappeared or the inventory is not an encoded one. Only the
 * namespaces whose objects changed are sent, and the index of a kind when it changed: one changed
 * object re-sends its namespace of its kind, not the inventory.
 */
export function planPatches(before: EngineParts | undefined, after: EngineParts): DataPatch[] | undefined {
  const [a, b] = [before?.inventory, after.inventory];
  if (!(a instanceof RawJSON) || !(b instanceof RawJSON) || !a.kinds || !b.kinds) return undefined;
  if (before?.index === undefined || after.index === undefined) return undefined;
  const same = (x: unknown, y: unknown): boolean => x === y || JSON.stringify(x) === JSON.stringify(y);
  if (!same(before.config, after.config) || !same(before.scopes, after.scopes) || !same(before.meshConfig, after.meshConfig)) return undefined;
  for (const kind of a.kinds.keys()) if (!b.kinds.has(kind)) return undefined;
  const encoder = new TextEncoder();
  const patches: DataPatch[] = [];
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

function kindText(k: KindJSON): string {
  return `{${[...k.namespaces].map(([ns, json]) => `${JSON.stringify(ns)}:${json}`).join(',')}}`;
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
    const objects = (): string => `{${[...kinds].map(([k, v]) => `${JSON.stringify(k)}:${kindText(v)}`).join(',')}}`;
    const index = (): string => `{${[...kinds].filter(([, v]) => v.index !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${v.index}`).join(',')}}`;
    return { inventory: new RawJSON(objects, kinds), index: new RawJSON(index) };
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

/**
 * The engine's view of an inventory, re-encoding only the namespaces that changed since the last
 * call for the same inventory (the encoders live as long as their inventory).
 */
export function inventoryData(inventory: Inventory, opts: EncodeOptions = { trim: true }): InventoryData {
  const cache = opts.trim ? encoders : untrimmed;
  let encoder = cache.get(inventory);
  if (!encoder) cache.set(inventory, (encoder = new InventoryEncoder(inventory, opts)));
  return encoder.data();
}
