import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RELOAD_ATTEMPTS, SettledReload, type ReloadOutcome, type SettleDeps } from '../../src/file-watch.js';

/** File state and settle intervals the test moves by hand: no clock involved. */
function fakeFiles(initial: string): { deps: SettleDeps; write(signature: string): void; release(): Promise<void> } {
  let signature = initial;
  const pending: Array<() => void> = [];
  let wake: (() => void) | undefined;
  return {
    deps: {
      signature: async () => signature,
      settle: () => new Promise<void>((resolve) => {
        pending.push(resolve);
        wake?.();
      }),
    },
    write(next) {
      signature = next;
    },
    /** Ends the next settle interval (waiting until the reload asks for one). */
    async release() {
      while (pending.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      pending.shift()?.();
    },
  };
}

function recorder<T>(): { outcomes: Array<ReloadOutcome<T>>; report: (o: ReloadOutcome<T>) => void } {
  const outcomes: Array<ReloadOutcome<T>> = [];
  return { outcomes, report: (o) => outcomes.push(o) };
}

describe('SettledReload', () => {
  it('does not read a file that changes during the settle interval; reads it once it is stable', async () => {
    const files = fakeFiles('v1');
    const reads: string[] = [];
    const { outcomes, report } = recorder<string>();
    let content = 'half';
    const reload = new SettledReload(files.deps, async () => {
      reads.push(content);
      return content;
    }, report);
    await reload.baseline();
    files.write('v2-half');
    const done = reload.changed();
    files.write('v2');
    content = 'whole';
    await files.release(); // v2-half -> v2: still being written, start over
    await files.release(); // v2 -> v2: stable
    await done;
    assert.deepEqual(reads, ['whole']);
    assert.deepEqual(outcomes, [{ ok: true, value: 'whole' }]);
  });

  it('retries a read that fails and reports only the success', async () => {
    const files = fakeFiles('v1');
    const { outcomes, report } = recorder<number>();
    let reads = 0;
    const reload = new SettledReload(files.deps, async () => {
      reads++;
      if (reads < RELOAD_ATTEMPTS) throw new Error(`parse error ${reads}`);
      return reads;
    }, report);
    await reload.baseline();
    files.write('v2');
    const done = reload.changed();
    for (let i = 0; i < RELOAD_ATTEMPTS; i++) await files.release();
    await done;
    assert.deepEqual(outcomes, [{ ok: true, value: RELOAD_ATTEMPTS }]);
  });

  it('reports a file that never reads once, after the bounded retries, and not again for the same version', async () => {
    const files = fakeFiles('v1');
    const { outcomes, report } = recorder<never>();
    let reads = 0;
    const failure = new Error('not a bundle');
    const reload = new SettledReload<never>(files.deps, async () => {
      reads++;
      throw failure;
    }, report);
    await reload.baseline();
    files.write('v2');
    const first = reload.changed();
    for (let i = 0; i < RELOAD_ATTEMPTS; i++) await files.release();
    await first;
    assert.deepEqual(outcomes, [{ ok: false, error: failure, attempts: RELOAD_ATTEMPTS }]);
    // The same version seen again (a second poll event): settled, recognised, not read.
    const second = reload.changed();
    await files.release();
    await second;
    assert.equal(reads, RELOAD_ATTEMPTS);
    assert.equal(outcomes.length, 1);
  });

  it('ignores a change event for the version it already serves', async () => {
    const files = fakeFiles('v1');
    const { outcomes, report } = recorder<string>();
    const reload = new SettledReload(files.deps, async () => 'read', report);
    await reload.baseline();
    const done = reload.changed();
    await files.release();
    await done;
    assert.deepEqual(outcomes, []);
  });

  it('a change that arrives while a version is read gets a round of its own', async () => {
    const files = fakeFiles('v1');
    const { outcomes, report } = recorder<string>();
    let next: Promise<void> | undefined;
    let version = 'v2';
    const reload: SettledReload<string> = new SettledReload(files.deps, async () => {
      const read = version;
      if (read === 'v2') {
        files.write('v3');
        version = 'v3';
        next = reload.changed();
      }
      return read;
    }, report);
    await reload.baseline();
    files.write('v2');
    const done = reload.changed();
    await files.release(); // v2 stable, read; v3 written meanwhile
    await files.release(); // v3 stable
    await done;
    await next;
    assert.deepEqual(outcomes, [{ ok: true, value: 'v2' }, { ok: true, value: 'v3' }]);
  });
});
