/**
 * Owned subtrees: the parts of an object the mutators may write (`Mutator.writes`). The runner copies
 * only these (the rest is shared with the request's object, read-only) and diffs only these, so a
 * Pod's containers, volumes and status are neither cloned nor compared on every pass. The patch is
 * still `fast-json-patch`'s `compare`, taken over views that hold the owned subtrees alone.
 */
import { isRecord, type KubeObject } from '../inventory/objects.js';

/** Owned paths merged into a tree; `true` marks a whole owned subtree. */
export type PathTree = Map<string, PathTree | true>;

/** An owned path, from the object root; `[]` owns the whole object. */
export type OwnedPath = readonly string[];

/** Merges paths into a tree (a path inside an owned subtree adds nothing). Empty for no paths. */
export function pathTree(paths: Iterable<OwnedPath>): PathTree | true {
  const root: PathTree = new Map();
  for (const path of paths) {
    if (path.length === 0) return true;
    let node = root;
    for (const [i, step] of path.entries()) {
      const next = node.get(step);
      if (next === true) break;
      if (i === path.length - 1) {
        node.set(step, true);
        break;
      }
      const child = next ?? new Map<string, PathTree | true>();
      node.set(step, child);
      node = child;
    }
  }
  return root;
}

/**
 * A copy of `obj` a mutator may write inside the owned subtrees of: records on the way to an
 * owned subtree are copied shallowly, owned subtrees deeply; everything else is `obj`'s own.
 */
export function ownedCopy(obj: KubeObject, tree: PathTree | true): KubeObject {
  return copyAlong(obj, tree) as KubeObject;
}

function copyAlong(value: unknown, tree: PathTree | true): unknown {
  if (tree === true) return dataCopy(value);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [key, sub] of tree) if (Object.hasOwn(value, key)) out[key] = copyAlong(value[key], sub);
  return out;
}

/**
 * A view of `obj` holding only the owned subtrees (by reference), its keys in `obj`'s order, so
 * `compare(view(a), view(b))` is `compare(a, b)` when `a` and `b` differ only inside them.
 */
export function ownedView(obj: unknown, tree: PathTree | true): unknown {
  if (tree === true || !isRecord(obj)) return obj;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    const sub = tree.get(key);
    if (sub !== undefined) out[key] = ownedView(obj[key], sub);
  }
  return out;
}

/**
 * A deep copy of parsed JSON or YAML data (plain objects, arrays, strings, numbers, booleans,
 * null), several times cheaper than `structuredClone` for the small owned subtrees; anything else
 * inside (a Date, a Map) is copied by `structuredClone`.
 */
export function dataCopy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(dataCopy);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copy = dataCopy((value as Record<string, unknown>)[key]);
    // JSON.parse makes `__proto__` an own key; an assignment would set the copy's prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out;
}
