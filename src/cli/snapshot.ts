import { pino } from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { Inventory } from '../inventory/inventory.js';
import { KubeHttp, loadKubeConfig } from '../kube/client.js';
import { startInformers } from '../kube/informers.js';
import { watchScopes } from '../kube/resources.js';
import { Metrics } from '../metrics.js';
import { Readiness } from '../readiness.js';
import { encodeSnapshot } from '../snapshot/format.js';
import { describeTarget, parseTarget, writeSnapshot } from '../snapshot/store.js';
import { EXIT } from './output.js';

/** Options of `meshguard snapshot`. */
export interface SnapshotCliOptions {
  output: string;
  kubeconfig?: string;
  secretNamespaces: string;
  exemptionNamespace: string;
  istioRootNamespace: string;
  /** Seconds to wait for every informer's first list. */
  timeout: string;
}

/** Where `runSnapshot` writes its messages; tests pass their own. */
export interface SnapshotIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/**
 * `meshguard snapshot`: reads the cluster exactly as the webhook's informers do (the same kinds,
 * namespaces, stripping and trimming), waits until every kind has been listed once, and writes the
 * inventory as a versioned, digest-carrying snapshot to a file, a ConfigMap or Secret, or a URL.
 * Exit 0 when written, 2 otherwise (one line on stderr, no stack).
 */
export async function runSnapshot(opts: SnapshotCliOptions, io: SnapshotIo = { out: (t) => console.log(t), err: (t) => console.error(t) }): Promise<number> {
  try {
    const target = parseTarget(opts.output);
    const http = new KubeHttp(loadKubeConfig(opts.kubeconfig));
    const inventory = new Inventory();
    const readiness = new Readiness();
    const log = pino({ level: 'silent' }) as FastifyBaseLogger;
    const namespaces = watchScopes({ secretNamespaces: opts.secretNamespaces.split(',').map((n) => n.trim()).filter(Boolean), exemptionNamespace: opts.exemptionNamespace, istioRootNamespace: opts.istioRootNamespace });
    const informers = startInformers({ http, inventory, metrics: new Metrics(false), readiness, log, namespaces });
    const seconds = Number(opts.timeout);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([informers.synced, new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new MeshguardError(ErrorCodes.KUBE_UNREACHABLE, `the cluster was not read within ${seconds} s: ${readiness.report().checks.kube?.detail ?? 'no answer'}`)), seconds * 1000);
      })]);
    } finally {
      clearTimeout(timer);
      informers.stop();
    }
    const { bytes, header } = await encodeSnapshot(inventory);
    await writeSnapshot(target, bytes, () => http);
    io.out(`wrote ${describeTarget(target)}: ${header.objects} objects, ${bytes.length} bytes, ${header.digest}, taken ${header.createdAt}`);
    return 0;
  } catch (err) {
    const code = err instanceof MeshguardError ? `${err.code}: ` : '';
    io.err(`meshguard snapshot: ${code}${describeError(err)}`);
    return EXIT.UNREADABLE;
  }
}
