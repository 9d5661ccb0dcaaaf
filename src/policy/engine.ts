import * as opaModule from '@open-policy-agent/opa-wasm';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { ENTRYPOINT } from './entrypoint.js';
import type { PolicyBundle } from './bundle.js';
import { OTHER_KINDS, entryKind, kindEntrypointIds } from './kind-entrypoints.js';
import { RawJSON, planPatches, utf8Document, writeObject, type DataPatch } from './engine-data.js';
import type { RuleCatalog, Violation } from './types.js';
import { compilePolicyWasm } from './wasm-compile.js';

/** What the webhook and the offline commands need from a policy engine. */
export interface PolicyEngine {
  /** Bundle version label (hash), in every decision log line and as a metric label. */
  readonly version: string;
  readonly catalog: RuleCatalog;
  /**
   * Evaluates one AdmissionReview: raw JSON bytes as received, or an object. `kind` is the
   * request's `kind.kind` (read from an object review when not given): only that kind's rules run.
   */
  evaluate(review: ArrayBuffer | object, kind?: string): Violation[];
  /** Replaces the cluster data (org config and inventory) the rules see. */
  setData(data: EngineData): void;
}


/** What an engine keeps of its bundle besides the Wasm bytes. */
export type BundleFacts = Omit<PolicyBundle, 'wasm'>;

/** The parts of `data.meshguard` that change at run time. */
export interface EngineData {
  config: unknown;
  /** `data.meshguard.inventory`: objects, or their JSON ({@link RawJSON}, from `inventoryData`). */
  inventory: unknown;
  /** `data.meshguard.index`: the inventory's lookups (`inventoryData`); rules scan without it. */
  index?: unknown;
  /** Kinds watched in some namespaces only (`data.meshguard.inventory_scopes`). */
  scopes?: Record<string, string[]>;
  /** Istio's mesh config facts (`data.meshguard.meshConfig`, src/mesh/facts.ts). */
  meshConfig?: unknown;
}

const PAGE = 64 * 1024;

/**
 * Initial Wasm memory: 8 MiB (a request evaluates in the first MiB; an inventory of a few thousand
 * objects fits), so pushing data does not grow the memory a page at a time. Pages never written
 * are not resident, so idle RSS does not grow with it.
 */
const INITIAL_PAGES = 128;

// The SDK's ESM entry exports loadPolicy and a default object holding both loaders.
const opa = (opaModule as unknown as { default: typeof opaModule }).default;

/**
 * The opa-wasm engine. One compiled module and one instance are reused for every evaluation; data
 * is pushed with setData only when it changes. A trap (out of memory, stack overflow) rebuilds the
 * instance from the compiled module so the next request finds a clean heap.
 */
export class OpaWasmEngine implements PolicyEngine {
  readonly version: string;
  readonly catalog: RuleCatalog;
  /** The bundle this engine was built from, without its Wasm bytes. */
  readonly facts: BundleFacts;
  private readonly bundleData: Record<string, unknown>;
  /** The last whole document loaded, and the patches applied since (the latest per path). */
  private dataBytes: ArrayBuffer;
  /** Per-kind entrypoints (kind-entrypoints.ts); undefined for a bundle built without them. */
  private readonly kindEntrypoints: Map<string, number> | undefined;
  private readonly patches = new Map<string, DataPatch>();
  private patchedBytes = 0;
  /** What the last setData was given (to plan the next one as patches). */
  private lastData: EngineData | undefined;

  private constructor(
    bundle: BundleFacts,
    /** The compiled policy: evaluation workers instantiate it without compiling it again. */
    readonly module: WebAssembly.Module,
    private readonly memoryPages: number,
    private policy: LoadedPolicy,
    private readonly entrypoint: number,
  ) {
    this.version = bundle.version;
    this.catalog = bundle.catalog;
    this.bundleData = bundle.data;
    this.facts = { version: bundle.version, catalog: bundle.catalog, data: bundle.data, path: bundle.path };
    this.kindEntrypoints = kindEntrypointIds(policy.entrypoints as Record<string, number>);
    this.dataBytes = this.encode({ config: {}, inventory: {} });
    this.policy.setData(this.dataBytes);
  }

  /** Compiles a bundle's Wasm and checks that it exposes meshguard's entrypoint. */
  static async create(bundle: PolicyBundle, memoryMiB = 256): Promise<OpaWasmEngine> {
    let module: WebAssembly.Module;
    try {
      module = await compilePolicyWasm(bundle.wasm);
    } catch (err) {
      throw new MeshguardError(ErrorCodes.POLICY_BUNDLE_INVALID, `policy bundle ${bundle.path}: policy.wasm does not compile: ${describeError(err)}`);
    }
    return OpaWasmEngine.fromModule(bundle, module, memoryMiB);
  }

  /**
   * Instantiates an already compiled module (an evaluation worker's engine, from the module its
   * pool compiled once) and checks that it exposes meshguard's entrypoint.
   */
  static fromModule(bundle: BundleFacts, module: WebAssembly.Module, memoryMiB = 256): OpaWasmEngine {
    const pages = Math.max(16, Math.floor((memoryMiB * 1024 * 1024) / PAGE));
    const policy = instantiate(module, pages, bundle.path);
    const entrypoints = policy.entrypoints as Record<string, number>;
    const entrypoint = entrypoints[ENTRYPOINT];
    if (entrypoint === undefined) {
      throw new MeshguardError(
        ErrorCodes.POLICY_ENTRYPOINT_MISSING,
        `policy bundle ${bundle.path} has no entrypoint ${ENTRYPOINT} (it has: ${Object.keys(entrypoints).join(', ') || 'none'})`,
      );
    }
    return new OpaWasmEngine(bundle, module, pages, policy, entrypoint);
  }

  evaluate(review: ArrayBuffer | object, kind?: string): Violation[] {
    const entrypoint = this.entrypointFor(review, kind);
    if (entrypoint === undefined) return [];
    let result: unknown;
    try {
      result = this.policy.evaluate(review, entrypoint);
    } catch (err) {
      this.recover();
      throw new MeshguardError(ErrorCodes.POLICY_EVALUATION, `policy evaluation failed: ${describeError(err)}`);
    }
    const first = Array.isArray(result) ? (result[0] as { result?: unknown } | undefined) : undefined;
    if (!first || !Array.isArray(first.result)) {
      throw new MeshguardError(ErrorCodes.POLICY_EVALUATION, 'policy evaluation returned no violation set');
    }
    return first.result as Violation[];
  }

  /**
   * Runs one evaluation of each entrypoint on a minimal request of its kind and discards the
   * results, so the first admission does not pay for V8 compiling the Wasm functions it reaches.
   */
  warm(): void {
    const kinds = this.kindEntrypoints ? [...this.kindEntrypoints.keys()] : ['Pod'];
    for (const kind of kinds) {
      try {
        this.evaluate(warmReview(kind), kind);
      } catch {
        // A warm-up input some rule cannot judge proves nothing; real requests report their own.
      }
    }
  }

  /** The entrypoint for a request of this kind; undefined when no rule judges the kind. */
  private entrypointFor(review: ArrayBuffer | object, kind: string | undefined): number | undefined {
    if (!this.kindEntrypoints) return this.entrypoint;
    const k = kind ?? kindOf(review);
    if (k === undefined) return this.entrypoint;
    return this.kindEntrypoints.get(entryKind(k)) ?? this.kindEntrypoints.get(OTHER_KINDS);
  }

  /**
   * Replaces the data. When only some kinds of an encoded inventory changed since the last call
   * (planPatches), only those are parsed into the Wasm memory; otherwise the whole document is.
   */
  setData(data: EngineData): void {
    const patches = planPatches(this.lastData, data);
    this.lastData = undefined;
    if (patches) this.applyPatches(patches);
    else this.setDataBytes(this.encode(data));
    this.lastData = data;
  }

  /** Replaces the data with a document {@link encode} made (in this engine or another of the same bundle). */
  setDataBytes(bytes: ArrayBuffer): void {
    this.lastData = undefined;
    try {
      const needed = pagesFor(bytes.byteLength, this.memoryPages);
      // A fresh instance sized for the document: the parse would otherwise grow the memory page
      // by page, which costs seconds for documents of tens of MiB.
      if (needed > this.policy.mem.buffer.byteLength / PAGE) {
        const fresh = opa.loadPolicySync(this.module, { initial: needed, maximum: this.memoryPages });
        fresh.setData(bytes);
        this.policy = fresh;
      } else {
        this.policy.setData(bytes);
      }
      this.dataBytes = bytes;
      this.patches.clear();
      this.patchedBytes = 0;
    } catch (err) {
      throw new MeshguardError(ErrorCodes.POLICY_EVALUATION, `cannot load policy data: ${describeError(err)}`);
    }
  }

  /**
   * Replaces the values at the patches' paths in the loaded document (planPatches made them, here
   * or in the pool). A replaced value stays in the Wasm heap until the next whole load: once the
   * patches since then outweigh the document, the document and the latest patches are reloaded.
   */
  applyPatches(patches: DataPatch[]): void {
    this.lastData = undefined;
    for (const p of patches) {
      const key = JSON.stringify(p.path);
      // Replayed in order after a reload: the latest patch of a path goes last.
      this.patches.delete(key);
      this.patches.set(key, p);
      this.patchedBytes += p.json?.byteLength ?? 0;
    }
    try {
      if (this.patchedBytes > this.dataBytes.byteLength) this.reload();
      else for (const p of patches) addPath(this.policy, p);
    } catch (err) {
      try {
        this.reload();
      } catch {
        throw new MeshguardError(ErrorCodes.POLICY_EVALUATION, `cannot load policy data: ${describeError(err)}`);
      }
    }
  }

  /** Loads the last whole document, then the latest patch of every path. */
  private reload(policy: LoadedPolicy = this.policy): void {
    policy.setData(this.dataBytes);
    this.patchedBytes = 0;
    for (const p of this.patches.values()) {
      addPath(policy, p);
      this.patchedBytes += p.json?.byteLength ?? 0;
    }
  }

  /**
   * The whole data document as UTF-8 JSON: the bundle's data with `data.meshguard`'s run-time
   * parts. Parts given as {@link RawJSON} are inserted as they are (encoded once per change).
   */
  encode(data: EngineData): ArrayBuffer {
    const { meshguard: own = {}, ...rest } = this.bundleData as { meshguard?: Record<string, unknown> };
    const runtime: Record<string, unknown> = {
      config: data.config, inventory: data.inventory, inventory_scopes: data.scopes ?? {}, meshConfig: data.meshConfig ?? {}, index: data.index,
    };
    const parts = [...Object.entries(own).filter(([k]) => !(k in runtime)), ...Object.entries(runtime)].filter(([, v]) => v !== undefined);
    return utf8Document((emit) => {
      emit('{');
      for (const [k, v] of Object.entries(rest)) emit(`${JSON.stringify(k)}:${JSON.stringify(v)},`);
      emit('"meshguard":');
      writeObject(parts, emit, (v) => (v instanceof RawJSON ? v.write(emit) : emit(JSON.stringify(v))));
      emit('}');
    });
  }

  /** Replaces a trapped instance with a fresh one holding the same data. */
  private recover(): void {
    try {
      const fresh = opa.loadPolicySync(this.module, { initial: Math.min(this.memoryPages, Math.max(INITIAL_PAGES, pagesFor(this.dataBytes.byteLength, this.memoryPages))), maximum: this.memoryPages });
      this.reload(fresh);
      this.policy = fresh;
    } catch {
      // The old instance stays; the next evaluation reports its own error.
    }
  }
}

/** `request.kind.kind` of an AdmissionReview object; undefined for raw bytes or when missing. */
function kindOf(review: ArrayBuffer | object): string | undefined {
  if (review instanceof ArrayBuffer) return undefined;
  const kind = (review as { request?: { kind?: { kind?: unknown } } }).request?.kind?.kind;
  return typeof kind === 'string' ? kind : undefined;
}

function warmReview(kind: string): object {
  const object = { apiVersion: 'v1', kind, metadata: { name: 'warm-up', namespace: 'default' }, spec: {} };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'warm-up', kind: { group: '', version: 'v1', kind }, operation: 'CREATE', namespace: 'default', object, dryRun: true },
  };
}

/** The parts of the SDK's LoadedPolicy a patch needs (its Wasm exports and data addresses). */
interface PolicyInternals {
  wasmInstance: WebAssembly.Instance;
  mem: WebAssembly.Memory;
  dataAddr: number;
  dataHeapPtr: number;
}

type Exports = Record<'opa_malloc' | 'opa_json_parse' | 'opa_value_add_path' | 'opa_value_remove_path' | 'opa_heap_ptr_get' | 'opa_heap_ptr_set', (...args: number[]) => number>;

/** Parses JSON bytes into the policy's heap; the address of the value. */
function parseInto(exports: Exports, mem: WebAssembly.Memory, bytes: Uint8Array): number {
  const raw = exports.opa_malloc(bytes.byteLength);
  new Uint8Array(mem.buffer).set(bytes, raw);
  const parsed = exports.opa_json_parse(raw, bytes.byteLength);
  if (parsed === 0) throw new Error('failed to parse json value');
  return parsed;
}

/**
 * Sets (or with `json` null removes) the value at `patch.path` of the loaded data with the Wasm
 * ABI's opa_value_add_path / opa_value_remove_path (the SDK loads whole documents only), above the
 * data, and moves the SDK's data heap mark past it so that evaluations do not overwrite it.
 */
function addPath(policy: LoadedPolicy, patch: DataPatch): void {
  const p = policy as unknown as PolicyInternals;
  const exports = p.wasmInstance.exports as unknown as Exports;
  exports.opa_heap_ptr_set(p.dataHeapPtr);
  const path = parseInto(exports, p.mem, new TextEncoder().encode(JSON.stringify(patch.path)));
  const rc = patch.json === null ? exports.opa_value_remove_path(p.dataAddr, path) : exports.opa_value_add_path(p.dataAddr, path, parseInto(exports, p.mem, patch.json));
  // remove_path reports a path that is not there (nothing to remove) as an error too.
  if (rc !== 0 && patch.json !== null) throw new Error(`opa_value_add_path failed (${rc})`);
  p.dataHeapPtr = exports.opa_heap_ptr_get();
}

/**
 * Wasm pages to start an instance with for a data document of `bytes`: the parsed document takes
 * about 12 bytes of Wasm heap per byte of JSON (measured on the generated mesh), plus room to
 * evaluate; at least the SDK's 16 pages, at most the cap.
 */
function pagesFor(bytes: number, maximum: number): number {
  return Math.min(maximum, Math.max(16, Math.ceil((bytes * 13 + 4 * 1024 * 1024) / PAGE)));
}

function instantiate(module: WebAssembly.Module, maximum: number, path: string): LoadedPolicy {
  try {
    // The synchronous loader: the module is compiled already, and the async one probes the global
    // `Response`, which makes Node load its fetch implementation (tens of ms at start).
    return opa.loadPolicySync(module, { initial: Math.min(INITIAL_PAGES, maximum), maximum });
  } catch (err) {
    throw new MeshguardError(ErrorCodes.POLICY_BUNDLE_INVALID, `policy bundle ${path}: cannot instantiate policy.wasm: ${describeError(err)}`);
  }
}
