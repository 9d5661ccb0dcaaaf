import type { EngineData, OpaWasmEngine } from './engine.js';
import { EvaluationPool, type PoolEvents } from './pool.js';
import type { RuleCatalog, Violation } from './types.js';

/**
 * The engine the webhook evaluates with: asynchronous, so an evaluation can run off the event loop
 * under a deadline. Built by {@link servingEngine}; swapped whole on reload, never edited.
 */
export interface ServingEngine {
  /** Bundle version label (hash), in every decision log line and as a metric label. */
  readonly version: string;
  readonly catalog: RuleCatalog;
  /**
   * Evaluates one AdmissionReview: raw JSON bytes as received (handed over: not to be read
   * afterwards), or an object. `kind` is the request's `kind.kind`: only that kind's rules run.
   */
  evaluate(review: ArrayBuffer | object, kind?: string): Promise<Violation[]>;
  /** Replaces the cluster data (org config and inventory) the rules see. */
  setData(data: EngineData): void;
  /** Lets in-flight evaluations finish, then frees the engine (after it was swapped out). */
  retire(): Promise<void>;
  /** Frees the engine now; evaluations still running are rejected. */
  close(): Promise<void>;
}

/** How evaluations are run: `workers` 0 evaluates on the event loop (no deadline). */
export interface ServingOptions {
  workers: number;
  timeoutMs: number;
  queueLimit: number;
  memoryMiB: number;
  events?: PoolEvents;
}

/**
 * The previous design, kept for `evaluationWorkers: 0` and the benchmark's comparison: the engine
 * evaluates synchronously on the event loop, so a slow evaluation stalls every other request.
 */
export class InlineEngine implements ServingEngine {
  readonly version: string;
  readonly catalog: RuleCatalog;

  constructor(private readonly engine: OpaWasmEngine) {
    this.version = engine.version;
    this.catalog = engine.catalog;
  }

  async evaluate(review: ArrayBuffer | object, kind?: string): Promise<Violation[]> {
    return this.engine.evaluate(review, kind);
  }

  setData(data: EngineData): void {
    this.engine.setData(data);
  }

  async retire(): Promise<void> {}

  async close(): Promise<void> {}
}

/**
 * Builds the serving engine from a checked OpaWasmEngine: a worker pool sharing its compiled module,
 * or (with `workers` 0) the engine itself on the event loop. Either starts with `data`.
 */
export async function servingEngine(engine: OpaWasmEngine, data: EngineData, opts: ServingOptions): Promise<ServingEngine> {
  if (opts.workers === 0) {
    engine.warm();
    engine.setData(data);
    return new InlineEngine(engine);
  }
  return EvaluationPool.create(engine, { ...opts, data });
}
