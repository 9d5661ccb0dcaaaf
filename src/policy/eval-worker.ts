/**
 * An evaluation worker (a `worker_threads` thread started by EvaluationPool): one OpaWasmEngine
 * instantiated from the pool's compiled module, evaluating one AdmissionReview at a time. The
 * evaluation itself is OpaWasmEngine's, the same code path the offline commands use.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { MeshguardError, describeError } from '../errors.js';
import { OpaWasmEngine, type BundleFacts } from './engine.js';
import type { DataPatch } from './engine-data.js';
import type { Violation } from './types.js';

/** What a worker is started with (`workerData`). */
export interface WorkerStart {
  module: WebAssembly.Module;
  bundle: BundleFacts;
  memoryMiB: number;
  /** The data document the serving engine holds now (OpaWasmEngine.encode): a replacement worker starts with it. */
  bytes: ArrayBuffer;
}

/**
 * One evaluation, as compact as a message gets (it is sent once per admission request): the job
 * id, the request's kind and the AdmissionReview (raw bytes, transferred).
 */
export type EvaluateMessage = [id: number, kind: string | undefined, input: ArrayBuffer | object];

/** Messages from the pool to a worker. */
export type ToWorker = EvaluateMessage | { type: 'data'; bytes: ArrayBuffer } | { type: 'patch'; patches: DataPatch[] };

/** Messages from a worker to the pool; a bare job id is a result without violations (the common answer). */
export type FromWorker =
  | number
  | { type: 'ready' }
  | { type: 'result'; id: number; violations: Violation[] }
  | { type: 'error'; id: number; code: string | undefined; message: string }
  | { type: 'data-error'; message: string }
  | { type: 'patch-error'; message: string };

function serve(start: WorkerStart): void {
  const port = parentPort;
  if (!port) return;
  const engine = OpaWasmEngine.fromModule(start.bundle, start.module, start.memoryMiB);
  // Warmed on the empty document it is instantiated with: the Wasm functions are compiled just
  // the same, without evaluating every kind's rules over a large inventory first.
  engine.warm();
  engine.setDataBytes(start.bytes);
  const send = (message: FromWorker): void => port.postMessage(message);
  const evaluate = ([id, kind, input]: EvaluateMessage): void => {
    try {
      const violations = engine.evaluate(input, kind);
      send(violations.length === 0 ? id : { type: 'result', id, violations });
    } catch (err) {
      send({ type: 'error', id, code: err instanceof MeshguardError ? err.code : undefined, message: describeError(err) });
    }
  };
  port.on('message', (message: ToWorker) => {
    if (Array.isArray(message)) {
      evaluate(message);
      return;
    }
    try {
      if (message.type === 'patch') engine.applyPatches(message.patches);
      else engine.setDataBytes(message.bytes);
    } catch (err) {
      send({ type: message.type === 'patch' ? 'patch-error' : 'data-error', message: describeError(err) });
    }
  });
  send({ type: 'ready' });
}

if (!isMainThread) serve(workerData as WorkerStart);
