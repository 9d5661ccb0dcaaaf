import type { FastifyBaseLogger } from 'fastify';
import { describeError } from '../errors.js';
import type { Inventory } from '../inventory/inventory.js';
import type { KubeHttp } from '../kube/client.js';
import type { Metrics } from '../metrics.js';
import { encodeSnapshot } from './format.js';
import { describeTarget, parseTarget, writeSnapshot } from './store.js';

/** What the in-cluster snapshot writer needs. */
export interface SnapshotWriterOptions {
  /** snapshotOutput: file, configmap:<ns>/<name>, secret:<ns>/<name> or URL. */
  output: string;
  intervalSeconds: number;
  inventory: Inventory;
  http: KubeHttp;
  metrics: Metrics;
  log: FastifyBaseLogger;
  /** Resolves when the informers have listed every kind once: nothing partial is written. */
  synced: Promise<void>;
}

/**
 * Writes the server's cluster view as a snapshot once the informers have synced, then every
 * `intervalSeconds`. A failed write is logged and counted (meshguard_snapshot_writes_total) and
 * retried at the next interval; readers keep the previous snapshot meanwhile. `first` resolves
 * once the first write has been tried.
 */
export function startSnapshotWriter(opts: SnapshotWriterOptions): { stop: () => void; first: Promise<void> } {
  const target = parseTarget(opts.output);
  const shown = describeTarget(target);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const write = async (): Promise<void> => {
    if (stopped) return;
    try {
      const { bytes, header } = await encodeSnapshot(opts.inventory);
      await writeSnapshot(target, bytes, () => opts.http);
      opts.metrics.snapshotWrites.inc({ result: 'success' });
      opts.log.info({ snapshotOutput: shown, digest: header.digest, objects: header.objects, bytes: bytes.length }, 'cluster snapshot written');
    } catch (err) {
      opts.metrics.snapshotWrites.inc({ result: 'failure' });
      opts.log.error({ snapshotOutput: shown, code: (err as { code?: string }).code, err: describeError(err) }, 'cluster snapshot write failed; readers keep the previous one');
    }
    if (!stopped) {
      timer = setTimeout(() => void write(), opts.intervalSeconds * 1000);
      timer.unref();
    }
  };
  const first = opts.synced.then(write);
  return {
    first,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
