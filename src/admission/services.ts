import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Inventory } from '../inventory/inventory.js';
import type { Metrics } from '../metrics.js';
import type { PolicyService } from '../policy/service.js';
import type { Readiness } from '../readiness.js';
import type { SnapshotContext } from '../snapshot/context.js';
import type { SizingRefresher } from '../sizing/refresher.js';

/** What the admission handlers are given: the composition root builds it once. */
export interface AdmissionServices {
  config: Config;
  metrics: Metrics;
  readiness: Readiness;
  policy: PolicyService;
  inventory: Inventory;
  log: FastifyBaseLogger;
  /** The clock exemption expiry is judged by (default: the system clock). */
  now?: () => Date;
  /** Observed sizing's cache (read only on the admission path). */
  sizing?: SizingRefresher;
  /** Serverless: the cluster snapshot decisions rely on (undefined in server mode, which watches the cluster). */
  context?: SnapshotContext;
}
