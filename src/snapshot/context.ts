import type { FastifyBaseLogger } from 'fastify';
import { ErrorCodes, describeError } from '../errors.js';
import type { Inventory } from '../inventory/inventory.js';
import type { Metrics } from '../metrics.js';
import type { Readiness } from '../readiness.js';
import { loadSnapshot, type SnapshotHeader } from './format.js';
import { readSnapshot, redactUrl } from './store.js';

/** The readiness check a serverless instance's cluster context owns. */
export const SNAPSHOT_READINESS = 'snapshot';

/** What a decision may rely on: a fresh snapshot, or why there is none. */
export type ContextState =
  | { usable: true; digest: string; ageSeconds: number }
  | { usable: false; code: string; reason: string };

/** What the serverless cluster context needs. */
export interface SnapshotContextOptions {
  /** File path or HTTP(S) URL of the snapshot; undefined: none configured. */
  source: string | undefined;
  maxAgeSeconds: number;
  refreshSeconds: number;
  inventory: Inventory;
  metrics: Metrics;
  readiness: Readiness;
  log: FastifyBaseLogger;
  /** Called after a snapshot was loaded into the inventory (push it to the engine now). */
  loaded: () => void;
  /** Clock in milliseconds (tests pin it). */
  now?: () => number;
}

/**
 * The cluster context of a stateless (serverless) instance: the snapshot read at start (once, however
 * many requests wait for it) and refreshed conditionally every `refreshSeconds`. Its age counts
 * from when the snapshot was taken; past `maxAgeSeconds`, or with no snapshot at all, `state()`
 * says so and decisions follow failureMode. A failed read keeps what was loaded.
 */
export class SnapshotContext {
  private header: SnapshotHeader | undefined;
  private tag: string | undefined;
  private lastError: string | undefined;
  private first: Promise<void> | undefined;
  /** Set once the first read has finished: later requests do not wait at all. */
  private firstDone = false;
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: SnapshotContextOptions) {
    this.now = opts.now ?? Date.now;
    opts.metrics.snapshotAgeSeconds = () => (this.header ? this.ageSeconds(this.header) : undefined);
  }

  /** Starts the first read (not awaited: the listener comes up meanwhile) and the refresh timer. */
  start(): void {
    const { source, readiness } = this.opts;
    if (!source) {
      readiness.degrade(SNAPSHOT_READINESS, 'no snapshot configured: cross-resource rules answer per failureMode', 'no snapshot configured');
      this.first = Promise.resolve();
      this.firstDone = true;
      return;
    }
    readiness.set(SNAPSHOT_READINESS, false, 'loading the cluster snapshot');
    this.first = this.refresh().finally(() => (this.firstDone = true));
    const every = this.opts.refreshSeconds * 1000;
    const tick = (): void => {
      this.timer = setTimeout(() => void this.refresh().finally(tick), every);
      this.timer.unref();
    };
    tick();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Resolves once the first read has finished (loaded or failed), or after `deadlineMs`, whichever
   * comes first; never rejects. Concurrent callers share the one read.
   */
  async settled(deadlineMs: number): Promise<void> {
    if (this.firstDone) return;
    const first = this.first ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    try {
      await Promise.race([first, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads the source now, conditionally; a read already under way is shared. */
  refresh(): Promise<void> {
    this.inFlight ??= this.read().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Whether decisions may rely on the loaded snapshot now. */
  state(): ContextState {
    const { source, maxAgeSeconds } = this.opts;
    if (!source) return { usable: false, code: ErrorCodes.SNAPSHOT_MISSING, reason: 'no cluster snapshot is configured' };
    if (!this.header) {
      const why = this.lastError ?? 'it is still loading';
      return { usable: false, code: ErrorCodes.SNAPSHOT_MISSING, reason: `no cluster snapshot is loaded (${why})` };
    }
    const ageSeconds = this.ageSeconds(this.header);
    if (ageSeconds > maxAgeSeconds) {
      return { usable: false, code: ErrorCodes.SNAPSHOT_STALE, reason: `the cluster snapshot is ${ageSeconds} s old, more than snapshotMaxAgeSeconds (${maxAgeSeconds})` };
    }
    return { usable: true, digest: this.header.digest, ageSeconds };
  }

  private ageSeconds(header: SnapshotHeader): number {
    return Math.max(0, Math.floor((this.now() - Date.parse(header.createdAt)) / 1000));
  }

  private async read(): Promise<void> {
    const { source, inventory, metrics, readiness, log } = this.opts;
    const shown = /^https?:/.test(source ?? '') ? redactUrl(source ?? '') : source;
    try {
      const outcome = await readSnapshot(source as string, this.tag);
      if (!outcome.changed) {
        metrics.snapshotLoads.inc({ result: 'unchanged' });
      } else {
        loadSnapshot(inventory, outcome.snapshot);
        this.header = outcome.snapshot.header;
        this.tag = outcome.tag;
        this.opts.loaded();
        metrics.snapshotLoads.inc({ result: 'success' });
        metrics.snapshotObjects.set(this.header.objects);
        log.info({ snapshot: shown, digest: this.header.digest, createdAt: this.header.createdAt, objects: this.header.objects }, 'cluster snapshot loaded');
      }
      this.lastError = undefined;
    } catch (err) {
      this.lastError = describeError(err);
      metrics.snapshotLoads.inc({ result: 'failure' });
      log.error({ snapshot: shown, code: (err as { code?: string }).code, err: this.lastError, kept: this.header?.digest ?? null }, 'cluster snapshot read failed; what was loaded is kept');
    }
    this.report(readiness);
  }

  private report(readiness: Readiness): void {
    const state = this.state();
    if (state.usable) readiness.set(SNAPSHOT_READINESS, true, `snapshot ${state.digest} taken ${this.header?.createdAt ?? ''} serves (snapshotMaxAgeSeconds ${this.opts.maxAgeSeconds})`);
    else readiness.degrade(SNAPSHOT_READINESS, `${state.reason}: cross-resource rules answer per failureMode`, state.reason);
  }
}
