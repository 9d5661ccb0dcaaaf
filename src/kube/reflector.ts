import { describeError } from '../errors.js';
import { KubeApiError, METADATA_ACCEPT, METADATA_LIST_ACCEPT, type KubeHttp, type WatchEvent } from './client.js';
import type { Inventory } from '../inventory/inventory.js';
import type { KubeObject } from '../inventory/objects.js';
import type { ServedResource } from './resources.js';
import { stripObject } from './strip.js';

/** What a reflector tells its owner. */
export interface ReflectorHooks {
  /** After every full list (the first one is the "synced" signal). */
  onList(kind: string, count: number): void;
  /** After every watch event that changed the inventory. */
  onChange(kind: string): void;
  /** A list or watch failed; the reflector retries after `retryInMs`. */
  onError(kind: string, err: unknown, retryInMs: number): void;
  /** A watch was accepted by the server (the kind is healthy again after an error). */
  onWatching(kind: string): void;
}

export interface ReflectorOptions {
  /** Backoff cap between failed attempts (default 30 s). */
  maxBackoffMs?: number;
  /** First backoff (default 500 ms); doubles per consecutive failure. */
  baseBackoffMs?: number;
  /** Server-side watch timeout (default 300 s, jittered). */
  watchTimeoutSeconds?: number;
}

/** A 410 Gone: the resourceVersion is too old, a fresh list is needed. */
class Gone extends Error {}

/**
 * Keeps one kind of the Inventory in step with the API server, like client-go's reflector: a
 * paginated list (replacing the kind in the Inventory at once), then a watch from the list's
 * resourceVersion with bookmarks; the watch is renewed when the server ends it, a 410 Gone starts
 * over with a list, and any other failure retries with exponential backoff and jitter (capped).
 * Objects are stripped (see {@link stripObject}) before they are stored; metadata-only kinds are
 * requested as PartialObjectMetadata so their content never crosses the wire.
 */
export class Reflector {
  private readonly abort = new AbortController();
  private resourceVersion = '';
  private failures = 0;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  synced = false;

  constructor(
    private readonly http: KubeHttp,
    readonly resource: ServedResource,
    private readonly inventory: Inventory,
    private readonly hooks: ReflectorHooks,
    private readonly opts: ReflectorOptions = {},
    /** Watch this namespace only (`resource.path` must be its collection path); default every namespace. */
    readonly namespace?: string,
  ) {}

  /** Starts the list/watch loop in the background. */
  start(): void {
    void this.run();
  }

  /** Stops the loop and aborts the open request. */
  stop(): void {
    this.abort.abort();
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.wake?.();
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.relist();
        const started = Date.now();
        await this.watchOnce();
        // A watch the server ends at once (a misbehaving proxy) must not turn into a busy loop.
        if (Date.now() - started < 1000) await this.sleep(this.backoff());
        else this.failures = 0;
      } catch (err) {
        if (this.stopped) return;
        if (err instanceof Gone || (err instanceof KubeApiError && err.status === 410)) {
          this.resourceVersion = '';
          continue;
        }
        const delay = this.backoff();
        this.hooks.onError(this.resource.kind, err, delay);
        await this.sleep(delay);
      }
    }
  }

  private async relist(): Promise<void> {
    const { kind, metadataOnly } = this.resource;
    const objects: KubeObject[] = [];
    const rv = await this.http.list(this.resource.path, (items) => {
      for (const item of items) if (this.wanted(item)) objects.push(stripObject(item, this.resource));
    }, { accept: metadataOnly ? METADATA_LIST_ACCEPT : undefined, signal: this.abort.signal });
    if (this.stopped) return;
    if (this.namespace === undefined) this.inventory.replaceKind(kind, objects);
    else this.inventory.replaceNamespace(kind, this.namespace, objects);
    this.resourceVersion = rv;
    this.synced = true;
    this.hooks.onList(kind, objects.length);
  }

  private async watchOnce(): Promise<void> {
    const base = this.opts.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.round(base * (0.8 + Math.random() * 0.4));
    await this.http.watch(this.resource.path, { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds }, (e) => this.apply(e), {
      accept: this.resource.metadataOnly ? METADATA_ACCEPT : undefined,
      signal: this.abort.signal,
      idleMs: (timeoutSeconds + 60) * 1000,
      onOpen: () => this.hooks.onWatching(this.resource.kind),
    });
  }

  /** Whether an object is one this reflector keeps (the spec's `names`, when it has them). */
  private wanted(o: KubeObject): boolean {
    const { names } = this.resource;
    return names === undefined || names.includes(o.metadata?.name ?? '');
  }

  private apply(event: WatchEvent): void {
    const { kind } = this.resource;
    if (event.type === 'ERROR') {
      const status = event.object as { code?: number; message?: string; reason?: string };
      if (status.code === 410) throw new Gone(status.message ?? 'resource version too old');
      throw new KubeApiError(status.code ?? 500, status.reason ?? '', `watch ${this.resource.path}: ${status.message ?? describeError(status)}`);
    }
    const meta = (event.object.metadata ?? {}) as { name?: string; namespace?: string; resourceVersion?: string };
    if (meta.resourceVersion) this.resourceVersion = meta.resourceVersion;
    if (event.type === 'BOOKMARK' || !meta.name || !this.wanted(event.object)) return;
    if (event.type === 'DELETED') this.inventory.remove(kind, meta.namespace ?? '', meta.name);
    else this.inventory.upsert(stripObject(event.object, this.resource), kind);
    this.hooks.onChange(kind);
  }

  private backoff(): number {
    const base = this.opts.baseBackoffMs ?? 500;
    const cap = this.opts.maxBackoffMs ?? 30_000;
    const raw = Math.min(cap, base * 2 ** this.failures++);
    return Math.round(raw * (0.8 + Math.random() * 0.2));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
      this.sleepTimer.unref();
    });
  }
}
