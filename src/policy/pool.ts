import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import type { EngineData, OpaWasmEngine } from './engine.js';
import { planPatches } from './engine-data.js';
import type { EvaluateMessage, FromWorker, ToWorker, WorkerStart } from './eval-worker.js';
import type { ServingEngine } from './serving.js';
import type { RuleCatalog, Violation } from './types.js';

/**
 * The worker's code: the start-up bundle ships it as one CommonJS file (a worker that loads no ES
 * module starts without the ES module loader: faster, and smaller); the compiled modules run the
 * ES module eval-worker.js.
 */
const WORKER_FILE = [new URL('./eval-worker.cjs', import.meta.url), new URL('./eval-worker.js', import.meta.url)].find((f) => existsSync(f)) as URL;

/**
 * V8 heap limits of one worker (the Wasm memory is capped apart, by policyMemoryMiB): room for the
 * SDK's JSON of a 3 MiB request and its violations, while a runaway result ends that worker only.
 */
export const WORKER_HEAP_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 } as const;

/** A worker whose start fails this many times in a row is not started again. */
const MAX_FAILED_STARTS = 3;

/** Why a worker was replaced. */
export type ReplaceReason = 'timeout' | 'exit';

/** What the pool reports to its owner (logs and metrics). */
export interface PoolEvents {
  workerReplaced?(reason: ReplaceReason, detail: string): void;
  dataError?(message: string): void;
}

/** How a pool is sized and bounded. */
export interface PoolOptions {
  workers: number;
  timeoutMs: number;
  queueLimit: number;
  memoryMiB: number;
  /** The data the workers start with (the serving data at the time of the build). */
  data: EngineData;
  events?: PoolEvents;
}

interface Job {
  id: number;
  input: ArrayBuffer | object;
  kind: string | undefined;
  resolve(violations: Violation[]): void;
  reject(err: MeshguardError): void;
  timer: NodeJS.Timeout;
  slot?: Slot;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
  /** Set when the pool itself ends the worker (deadline, retire, close): its exit is expected. */
  ending: boolean;
  failedStarts: number;
  lastError?: string;
}

/**
 * A pool of `worker_threads`, each evaluating with its own OpaWasmEngine built from one compiled
 * module. Every evaluation has a deadline that includes its wait in the queue; past it the request
 * is rejected with MG_ERR_POLICY_TIMEOUT, and a worker still running it is terminated (which stops
 * a busy Wasm loop) and replaced with the current data. A worker that dies (out of memory, crash)
 * is replaced and its request rejected with MG_ERR_POLICY_WORKER_FAILED. With `queueLimit`
 * evaluations already waiting, one more is rejected at once with MG_ERR_POLICY_OVERLOADED.
 */
export class EvaluationPool implements ServingEngine {
  readonly version: string;
  readonly catalog: RuleCatalog;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  /** The data every worker holds (a replacement worker starts with it, encoded then). */
  private data: EngineData;
  private nextId = 1;
  private state: 'serving' | 'retiring' | 'closed' = 'serving';
  private drained: (() => void) | undefined;

  private constructor(private readonly engine: OpaWasmEngine, private readonly opts: PoolOptions) {
    this.version = engine.version;
    this.catalog = engine.catalog;
    this.data = opts.data;
  }

  /**
   * Starts one worker from a checked engine's compiled module and resolves once it is ready; throws
   * MG_ERR_POLICY_BUNDLE_INVALID (and stops it) when it cannot start. Further workers, up to
   * `opts.workers`, start when an evaluation has to wait for one (see {@link grow}): an idle or
   * freshly started instance holds one V8 isolate and one copy of the data, not one per core.
   */
  static async create(engine: OpaWasmEngine, opts: PoolOptions): Promise<EvaluationPool> {
    const pool = new EvaluationPool(engine, opts);
    try {
      await pool.whenReady(pool.spawn(0));
    } catch (err) {
      await pool.close();
      throw new MeshguardError(ErrorCodes.POLICY_BUNDLE_INVALID, `policy bundle ${engine.facts.path}: evaluation worker did not start: ${describeError(err)}`);
    }
    return pool;
  }

  /**
   * Evaluates one AdmissionReview in a worker, within the deadline. Never waits forever. Raw bytes
   * are moved to the worker, not copied: the caller must not read them afterwards.
   */
  evaluate(input: ArrayBuffer | object, kind?: string): Promise<Violation[]> {
    if (this.state === 'closed') return Promise.reject(new MeshguardError(ErrorCodes.POLICY_NOT_LOADED, 'the policy engine is shut down'));
    const idle = this.slots.some((s) => s.ready && !s.job && !s.ending) || this.slots.length < this.maxWorkers;
    if (!idle && this.queue.length >= this.opts.queueLimit) {
      return Promise.reject(new MeshguardError(ErrorCodes.POLICY_OVERLOADED,
        `policy evaluation refused: every evaluation worker is busy and ${this.queue.length} evaluations wait (evaluationQueueLimit ${this.opts.queueLimit})`));
    }
    return new Promise<Violation[]>((resolve, reject) => {
      const job: Job = { id: this.nextId++, input, kind, resolve, reject, timer: setTimeout(() => this.expire(job), this.opts.timeoutMs) };
      this.queue.push(job);
      this.pump();
    });
  }

  /**
   * Pushes new data to every worker (in order with evaluations); replacements start with it. The
   * change is encoded once, as patches of the changed kinds when planPatches allows, else as the
   * whole document; each worker gets its own copy of the bytes, transferred, not cloned.
   */
  setData(data: EngineData): void {
    const patches = planPatches(this.data, data);
    this.data = data;
    if (!patches) {
      const bytes = this.engine.encode(data);
      // The last worker gets the encoded bytes themselves, the others a copy each.
      this.slots.forEach((slot, i) => this.postDocument(slot, i === this.slots.length - 1 ? bytes : bytes.slice(0)));
      return;
    }
    for (const slot of this.slots) {
      const copies = patches.map((p) => ({ path: p.path, json: p.json?.slice() ?? null }));
      this.post(slot, { type: 'patch', patches: copies }, copies.flatMap((p) => (p.json ? [p.json.buffer as ArrayBuffer] : [])));
    }
  }

  private postDocument(slot: Slot, bytes: ArrayBuffer): void {
    this.post(slot, { type: 'data', bytes }, [bytes]);
  }

  /** Stops taking part in new swaps: the workers end once their queued and running work is done. */
  retire(): Promise<void> {
    if (this.state !== 'serving') return Promise.resolve();
    this.state = 'retiring';
    const done = new Promise<void>((resolve) => (this.drained = resolve));
    this.closeIfDrained();
    return done;
  }

  /** Terminates every worker now; whatever is queued or running is rejected. */
  async close(): Promise<void> {
    this.state = 'closed';
    const closed = new MeshguardError(ErrorCodes.POLICY_NOT_LOADED, 'the policy engine is shut down');
    for (const job of this.queue.splice(0)) this.settle(job, closed);
    const ending = this.slots.splice(0).map((slot) => {
      slot.ending = true;
      if (slot.job) this.settle(slot.job, closed);
      return slot.worker.terminate();
    });
    await Promise.all(ending);
    this.drained?.();
  }

  /** Evaluations waiting for a worker, and workers serving (for tests and diagnostics). */
  get stats(): { queued: number; workers: number; busy: number } {
    return { queued: this.queue.length, workers: this.slots.length, busy: this.slots.filter((s) => s.job).length };
  }

  private spawn(failedStarts: number, index = this.slots.length): Slot {
    const bytes = this.engine.encode(this.data);
    const start: WorkerStart = { module: this.engine.module, bundle: this.engine.facts, memoryMiB: this.opts.memoryMiB, bytes };
    const worker = new Worker(WORKER_FILE, { workerData: start, transferList: [bytes], resourceLimits: WORKER_HEAP_LIMITS, stdout: false, stderr: false });
    worker.unref();
    const slot: Slot = { worker, ready: false, ending: false, failedStarts };
    this.slots[index] = slot;
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (err) => (slot.lastError = describeError(err)));
    worker.on('exit', (code) => this.onExit(slot, code));
    return slot;
  }

  private whenReady(slot: Slot): Promise<void> {
    return new Promise((resolve, reject) => {
      slot.worker.on('message', (m: FromWorker) => typeof m === 'object' && m.type === 'ready' && resolve());
      slot.worker.on('exit', (code) => reject(new Error(slot.lastError ?? `worker exited with code ${code}`)));
    });
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (typeof m === 'number') {
      this.finish(slot, m, undefined);
    } else if (m.type === 'ready') {
      slot.ready = true;
      slot.failedStarts = 0;
    } else if (m.type === 'data-error') {
      this.opts.events?.dataError?.(m.message);
    } else if (m.type === 'patch-error') {
      // The worker could not apply the patches: it gets the whole document instead.
      this.postDocument(slot, this.engine.encode(this.data));
    } else {
      this.finish(slot, m.id, m.type === 'result' ? m.violations : new MeshguardError(m.code ?? ErrorCodes.POLICY_EVALUATION, m.message));
    }
    this.pump();
    this.closeIfDrained();
  }

  /** The worker answered job `id`: its violations, or its error. An answer past the deadline is dropped. */
  private finish(slot: Slot, id: number, outcome: Violation[] | MeshguardError | undefined): void {
    const job = slot.job;
    if (!job || job.id !== id) return;
    slot.job = undefined;
    if (outcome instanceof MeshguardError) this.settle(job, outcome);
    else this.settle(job, undefined, outcome);
  }

  /** A worker ended: expected when the pool ended it; otherwise its request fails and it is replaced. */
  private onExit(slot: Slot, code: number): void {
    const index = this.slots.indexOf(slot);
    const detail = slot.lastError ?? `exit code ${code}`;
    if (!slot.ending && slot.job) {
      this.settle(slot.job, new MeshguardError(ErrorCodes.POLICY_WORKER_FAILED, `policy evaluation failed: the evaluation worker stopped (${detail})`));
      slot.job = undefined;
    }
    if (index === -1 || this.state !== 'serving') {
      if (index !== -1) this.slots.splice(index, 1);
      this.closeIfDrained();
      return;
    }
    const failedStarts = slot.ready ? 0 : slot.failedStarts + 1;
    if (failedStarts >= MAX_FAILED_STARTS) {
      this.slots.splice(index, 1);
      this.opts.events?.workerReplaced?.('exit', `evaluation worker failed to start ${failedStarts} times (${detail}); not started again`);
      return;
    }
    this.spawn(failedStarts, index);
    this.opts.events?.workerReplaced?.(slot.ending ? 'timeout' : 'exit', detail);
    this.pump();
  }

  /** The deadline passed: reject the request; a worker still running it is terminated. */
  private expire(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued !== -1) this.queue.splice(queued, 1);
    const slot = job.slot;
    const deadline = `within the deadline of ${this.opts.timeoutMs} ms (evaluationTimeoutMs)`;
    this.settle(job, new MeshguardError(ErrorCodes.POLICY_TIMEOUT,
      slot ? `policy evaluation did not finish ${deadline}` : `policy evaluation did not start ${deadline}: every evaluation worker was busy`));
    if (slot && slot.job === job) {
      slot.job = undefined;
      slot.ending = true;
      slot.lastError = `evaluation ran past the deadline of ${this.opts.timeoutMs} ms`;
      void slot.worker.terminate();
    }
    this.closeIfDrained();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (!slot.ready || slot.job || slot.ending) continue;
      const job = this.queue.shift() as Job;
      slot.job = job;
      job.slot = slot;
      const message: EvaluateMessage = [job.id, job.kind, job.input];
      this.post(slot, message, job.input instanceof ArrayBuffer ? [job.input] : undefined);
    }
    this.grow();
  }

  private get maxWorkers(): number {
    return Math.max(1, this.opts.workers);
  }

  /**
   * Starts one more worker (up to `workers`) when evaluations wait and the workers already starting
   * will not take them all; the new worker starts with the current data.
   */
  private grow(): void {
    if (this.state !== 'serving' || this.slots.length >= this.maxWorkers) return;
    const starting = this.slots.filter((s) => !s.ready && !s.ending).length;
    if (this.queue.length > starting) this.spawn(0);
  }

  private post(slot: Slot, message: ToWorker, transfer: ArrayBuffer[] = []): void {
    if (!slot.ending) slot.worker.postMessage(message, transfer);
  }

  private settle(job: Job, err: MeshguardError | undefined, violations: Violation[] = []): void {
    clearTimeout(job.timer);
    if (err) job.reject(err);
    else job.resolve(violations);
  }

  private closeIfDrained(): void {
    if (this.state !== 'retiring' || this.queue.length > 0 || this.slots.some((s) => s.job)) return;
    void this.close();
  }
}
