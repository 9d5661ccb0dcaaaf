import { inventoryKind } from './kinds.js';
import type { KubeObject } from './objects.js';

/**
 * The cluster view that cross-resource rules and mesh-aware mutators read: objects by kind,
 * namespace and name. Informers fill it in the webhook; `meshguard check` fills it from the files
 * it is given. Cluster-scoped objects (Namespace) live under the namespace "".
 *
 * The JSON shape (`toJSON()`) is what the policy engine receives as `data.meshguard.inventory`:
 * `{ [kind]: { [namespace]: { [name]: object } } }`. A kind that is present (even empty) means
 * "this kind is known"; rules treat an absent kind as "not known here".
 */
export class Inventory {
  private readonly byKind = new Map<string, Map<string, Map<string, KubeObject>>>();
  private listeners: Array<() => void> = [];
  private readonly scoped = new Map<string, readonly string[]>();
  /** Increases on every change; lets consumers skip work when nothing changed. */
  version = 0;
  private readonly kindVersions = new Map<string, number>();

  /** Marks a kind as known (an informer for it has synced) even if it has no objects. */
  declareKind(kind: string): void {
    if (!this.byKind.has(kind)) {
      this.byKind.set(kind, new Map());
      this.changed(kind);
    }
  }

  /** Every known kind (declared or holding objects). */
  kinds(): string[] {
    return [...this.byKind.keys()];
  }

  /** True when the kind is known (declared or holding objects). */
  knows(kind: string): boolean {
    return this.byKind.has(kind);
  }

  /**
   * Adds or replaces an object under `kindOverride`, or else its {@link inventoryKind} (a Gateway
   * API Gateway is a KubernetesGateway). Its kind and metadata.name are required.
   */
  upsert(obj: KubeObject, kindOverride?: string): void {
    const kind = kindOverride ?? inventoryKind(obj);
    const name = obj.metadata?.name;
    if (!kind || !name) return;
    const ns = obj.metadata?.namespace ?? '';
    let namespaces = this.byKind.get(kind);
    if (!namespaces) {
      namespaces = new Map();
      this.byKind.set(kind, namespaces);
    }
    let names = namespaces.get(ns);
    if (!names) {
      names = new Map();
      namespaces.set(ns, names);
    }
    names.set(name, obj);
    this.changed(kind);
  }

  /**
   * Replaces every object of a kind at once (an informer's full list), declaring the kind: one
   * change notification instead of one per object, and no moment where deleted objects linger.
   */
  replaceKind(kind: string, objects: Iterable<KubeObject>): void {
    const namespaces = new Map<string, Map<string, KubeObject>>();
    for (const obj of objects) {
      const name = obj.metadata?.name;
      if (!name) continue;
      const ns = obj.metadata?.namespace ?? '';
      let names = namespaces.get(ns);
      if (!names) namespaces.set(ns, (names = new Map()));
      names.set(name, obj);
    }
    this.byKind.set(kind, namespaces);
    this.changed(kind);
  }

  /**
   * Replaces the objects of a kind in one namespace (the list of an informer watching that
   * namespace only), declaring the kind; the kind's other namespaces are kept.
   */
  replaceNamespace(kind: string, namespace: string, objects: Iterable<KubeObject>): void {
    let namespaces = this.byKind.get(kind);
    if (!namespaces) this.byKind.set(kind, (namespaces = new Map()));
    const names = new Map<string, KubeObject>();
    for (const obj of objects) if (obj.metadata?.name) names.set(obj.metadata.name, obj);
    if (names.size > 0) namespaces.set(namespace, names);
    else namespaces.delete(namespace);
    this.changed(kind);
  }

  /**
   * Records that a kind is watched only in these namespaces, so rules can tell "not in this
   * namespace" from "not watched here" (`data.meshguard.inventory_scopes`).
   */
  scopeKind(kind: string, namespaces: readonly string[]): void {
    this.scoped.set(kind, [...namespaces]);
    this.changed();
  }

  /** Kinds watched in some namespaces only, with those namespaces. */
  scopes(): Record<string, string[]> {
    return Object.fromEntries([...this.scoped].map(([k, v]) => [k, [...v]]));
  }

  /** Number of objects of one kind. */
  count(kind: string): number {
    let n = 0;
    for (const names of this.byKind.get(kind)?.values() ?? []) n += names.size;
    return n;
  }

  /** Removes an object; a no-op when it is not there. */
  remove(kind: string, namespace: string, name: string): void {
    const names = this.byKind.get(kind)?.get(namespace);
    if (names?.delete(name)) {
      if (names.size === 0) this.byKind.get(kind)?.delete(namespace);
      this.changed(kind);
    }
  }

  /** One object, or undefined. */
  get(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.byKind.get(kind)?.get(namespace)?.get(name);
  }

  /** Every object of a kind, optionally in one namespace. */
  list(kind: string, namespace?: string): KubeObject[] {
    const namespaces = this.byKind.get(kind);
    if (!namespaces) return [];
    if (namespace !== undefined) return [...(namespaces.get(namespace)?.values() ?? [])];
    const out: KubeObject[] = [];
    for (const names of namespaces.values()) out.push(...names.values());
    return out;
  }

  /** Labels of a namespace, or undefined when the Namespace is not in the inventory. */
  namespaceLabels(namespace: string): Record<string, string> | undefined {
    const ns = this.get('Namespace', '', namespace);
    return ns ? (ns.metadata?.labels ?? {}) : undefined;
  }

  /** Number of objects held, all kinds together. */
  size(): number {
    let n = 0;
    for (const namespaces of this.byKind.values()) for (const names of namespaces.values()) n += names.size;
    return n;
  }

  /** Registers a callback run after every change. Returns a function that unregisters it. */
  onChange(listener: () => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** The inventory as plain JSON: `{ kind: { namespace: { name: object } } }`. */
  toJSON(): Record<string, Record<string, Record<string, KubeObject>>> {
    const out: Record<string, Record<string, Record<string, KubeObject>>> = {};
    for (const [kind, namespaces] of this.byKind) {
      const nsOut: Record<string, Record<string, KubeObject>> = {};
      for (const [ns, names] of namespaces) nsOut[ns] = Object.fromEntries(names);
      out[kind] = nsOut;
    }
    return out;
  }

  /** One kind as plain JSON, `{ namespace: { name: object } }` (`{}` for an unknown kind). */
  kindJSON(kind: string): Record<string, Record<string, KubeObject>> {
    const out: Record<string, Record<string, KubeObject>> = {};
    for (const [ns, names] of this.byKind.get(kind) ?? []) out[ns] = Object.fromEntries(names);
    return out;
  }

  /** Increases on every change to the objects of one kind (0 for a kind never changed). */
  kindVersion(kind: string): number {
    return this.kindVersions.get(kind) ?? 0;
  }

  private changed(kind?: string): void {
    this.version++;
    if (kind !== undefined) this.kindVersions.set(kind, this.kindVersion(kind) + 1);
    for (const listener of this.listeners) listener();
  }
}
