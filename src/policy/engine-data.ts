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
  constructor(readonly json: string) {}
}

/** `data.meshguard.inventory` and `data.meshguard.index` of one inventory. */
export interface InventoryData {
  inventory: RawJSON;
  index: RawJSON;
}

interface KindCache {
  version: number;
  objects: string;
  /** The kind's index, or undefined for kinds without one. */
  index: string | undefined;
}

/** Options of the encoding (tests turn trimming off to prove it changes no decision). */
export interface EncodeOptions {
  trim: boolean;
}

class InventoryEncoder {
  private readonly kinds = new Map<string, KindCache>();

  constructor(private readonly inventory: Inventory, private readonly opts: EncodeOptions) {}

  data(): InventoryData {
    const objects: string[] = [];
    const index: string[] = [];
    const present = this.inventory.kinds();
    for (const kind of present) {
      const cached = this.cached(kind);
      const key = JSON.stringify(kind);
      objects.push(`${key}:${cached.objects}`);
      if (cached.index !== undefined) index.push(`${key}:${cached.index}`);
    }
    for (const kind of this.kinds.keys()) if (!present.includes(kind)) this.kinds.delete(kind);
    return { inventory: new RawJSON(`{${objects.join(',')}}`), index: new RawJSON(`{${index.join(',')}}`) };
  }

  private cached(kind: string): KindCache {
    const version = this.inventory.kindVersion(kind);
    const hit = this.kinds.get(kind);
    if (hit && hit.version === version) return hit;
    const byNamespace = this.inventory.kindJSON(kind);
    const trim = this.opts.trim ? trimForEngine(kind) : undefined;
    const objects = trim ? mapObjects(byNamespace, trim) : byNamespace;
    const index = indexOf(kind, byNamespace);
    const entry = { version, objects: JSON.stringify(objects), index: index === undefined ? undefined : JSON.stringify(index) };
    this.kinds.set(kind, entry);
    return entry;
  }
}

function mapObjects(byNamespace: Record<string, Record<string, KubeObject>>, fn: (o: KubeObject) => KubeObject): Record<string, Record<string, KubeObject>> {
  const out: Record<string, Record<string, KubeObject>> = {};
  for (const [ns, names] of Object.entries(byNamespace)) {
    const trimmed: Record<string, KubeObject> = {};
    for (const [name, o] of Object.entries(names)) trimmed[name] = fn(o);
    out[ns] = trimmed;
  }
  return out;
}

const encoders = new WeakMap<Inventory, InventoryEncoder>();
const untrimmed = new WeakMap<Inventory, InventoryEncoder>();

/**
 * The engine's view of an inventory, re-encoding only the kinds that changed since the last call
 * for the same inventory (the encoders live as long as their inventory).
 */
export function inventoryData(inventory: Inventory, opts: EncodeOptions = { trim: true }): InventoryData {
  const cache = opts.trim ? encoders : untrimmed;
  let encoder = cache.get(inventory);
  if (!encoder) cache.set(inventory, (encoder = new InventoryEncoder(inventory, opts)));
  return encoder.data();
}
