import { stat } from 'node:fs/promises';
import { unwatchFile, watchFile, type Stats } from 'node:fs';

/** Reads after a parse failure before the failure counts (the file may still be being written). */
export const RELOAD_ATTEMPTS = 4;

/** What a settled reload reports. */
export type ReloadOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown; attempts: number };

/** The moving parts of {@link SettledReload}, injectable so unit tests drive them explicitly. */
export interface SettleDeps {
  /** A signature of the files' current state (inode, size, mtime); changes when a file does. */
  signature(): Promise<string>;
  /** Resolves after one settle interval. */
  settle(): Promise<void>;
}

/**
 * Turns "a watched file changed" into at most one read per stable file version. After a change it
 * waits one settle interval and compares the files' signatures (inode, size, mtime): a file still
 * being written changes in between and the wait starts over. A stable version is read and verified
 * by `read`; a failure is retried (each time after a settle interval, since the writer may not be
 * done) up to {@link RELOAD_ATTEMPTS} reads in all, and only then reported, once. A version that
 * was already handled, or a change that arrives while one is being handled, is not read twice.
 */
export class SettledReload<T> {
  private handled: string | undefined;
  private generation = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: SettleDeps,
    private readonly read: () => Promise<T>,
    private readonly report: (outcome: ReloadOutcome<T>) => void,
    private readonly attempts = RELOAD_ATTEMPTS,
  ) {}

  /** Marks the current file state as handled (the version loaded at start). */
  async baseline(): Promise<void> {
    this.handled = await this.deps.signature().catch(() => undefined);
  }

  /** Called on every observed change; resolves when the reload it triggers (if any) has finished. */
  changed(): Promise<void> {
    this.generation++;
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    let lastError: unknown;
    for (;;) {
      const seen = this.generation;
      const before = await this.deps.signature().catch(() => 'missing');
      await this.deps.settle();
      const after = await this.deps.signature().catch(() => 'missing');
      if (before !== after || seen !== this.generation) {
        failures = 0;
        continue;
      }
      if (after !== this.handled) {
        try {
          const value = await this.read();
          this.handled = after;
          this.report({ ok: true, value });
        } catch (err) {
          lastError = err;
          failures++;
          if (failures < this.attempts) continue;
          this.handled = after;
          this.report({ ok: false, error: lastError, attempts: failures });
        }
      }
      // A change seen while this version was handled gets a round of its own.
      if (seen === this.generation) return;
      failures = 0;
    }
  }
}

/** inode, size and mtime of each file: what changes when a file is replaced or written. */
export async function fileSignature(files: readonly string[]): Promise<string> {
  const stats = await Promise.all(files.map((f) => stat(f, { bigint: true })));
  return stats.map((s) => `${s.ino}:${s.size}:${s.mtimeNs}`).join('|');
}

/**
 * Calls `onChange` when any of the files changes (size, mtime or inode). Polls with fs.watchFile,
 * which follows symlinks: Kubernetes Secret and ConfigMap volumes update by swapping a symlink,
 * which inotify-based watchers lose track of. Returns a function that stops watching.
 */
export function watchFiles(files: string[], intervalMs: number, onChange: () => void): () => void {
  const listener = (curr: Stats, prev: Stats): void => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size || curr.ino !== prev.ino) onChange();
  };
  for (const f of files) watchFile(f, { interval: intervalMs, persistent: false }, listener);
  return () => {
    for (const f of files) unwatchFile(f, listener);
  };
}

/**
 * Watches files and reloads them only once they are stable (see {@link SettledReload}), with the
 * poll interval as the settle interval. `read` reads and verifies (it throws on content that is
 * not usable); `report` gets each outcome once per file version. The files as they are now count
 * as loaded. Resolves, once watching, to a function that stops.
 */
export async function watchSettled<T>(
  files: string[], intervalMs: number, read: () => Promise<T>, report: (outcome: ReloadOutcome<T>) => void,
): Promise<() => void> {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const settle = (): Promise<void> => new Promise((resolve) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      resolve();
    }, intervalMs);
    timer.unref();
    timers.add(timer);
  });
  const reload = new SettledReload<T>({ signature: () => fileSignature(files), settle }, read, (outcome) => {
    if (!stopped) report(outcome);
  });
  await reload.baseline();
  const unwatch = watchFiles(files, intervalMs, () => void reload.changed());
  return () => {
    stopped = true;
    unwatch();
    for (const timer of timers) clearTimeout(timer);
  };
}
