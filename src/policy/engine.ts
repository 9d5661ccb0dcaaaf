import * as opaModule from '@open-policy-agent/opa-wasm';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { ENTRYPOINT } from './build.js';
import type { PolicyBundle } from './bundle.js';
import { RawJSON } from './engine-data.js';
import type { RuleCatalog, Violation } from './types.js';

/** What the webhook and the offline commands need from a policy engine. */
export interface PolicyEngine {
  /** Bundle version label (hash), in every decision log line and as a metric label. */
  readonly version: string;
  readonly catalog: RuleCatalog;
  /** Evaluates one AdmissionReview: raw JSON bytes as received, or an object. */
  evaluate(review: ArrayBuffer | object): Violation[];
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
  private dataBytes: ArrayBuffer;

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
    this.dataBytes = this.encode({ config: {}, inventory: {} });
    this.policy.setData(this.dataBytes);
  }

  /** Compiles a bundle's Wasm and checks that it exposes meshguard's entrypoint. */
  static async create(bundle: PolicyBundle, memoryMiB = 256): Promise<OpaWasmEngine> {
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(bundle.wasm);
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

  evaluate(review: ArrayBuffer | object): Violation[] {
    let result: unknown;
    try {
      result = this.policy.evaluate(review, this.entrypoint);
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

  setData(data: EngineData): void {
    this.setDataBytes(this.encode(data));
  }

  /** Replaces the data with a document {@link encode} made (in this engine or another of the same bundle). */
  setDataBytes(bytes: ArrayBuffer): void {
    try {
      this.policy.setData(bytes);
      this.dataBytes = bytes;
    } catch (err) {
      throw new MeshguardError(ErrorCodes.POLICY_EVALUATION, `cannot load policy data: ${describeError(err)}`);
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
    const meshguard = `{${parts.map(([k, v]) => `${JSON.stringify(k)}:${v instanceof RawJSON ? v.json : JSON.stringify(v)}`).join(',')}}`;
    const others = Object.entries(rest).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)},`).join('');
    const encoded = new TextEncoder().encode(`{${others}"meshguard":${meshguard}}`);
    return encoded.buffer.slice(encoded.byteOffset, encoded.byteOffset + encoded.byteLength) as ArrayBuffer;
  }

  /** Replaces a trapped instance with a fresh one holding the same data. */
  private recover(): void {
    try {
      const fresh = opa.loadPolicySync(this.module, { initial: 16, maximum: this.memoryPages });
      fresh.setData(this.dataBytes);
      this.policy = fresh;
    } catch {
      // The old instance stays; the next evaluation reports its own error.
    }
  }
}

function instantiate(module: WebAssembly.Module, maximum: number, path: string): LoadedPolicy {
  try {
    // The synchronous loader: the module is compiled already, and the async one probes the global
    // `Response`, which makes Node load its fetch implementation (tens of ms at start).
    return opa.loadPolicySync(module, { initial: 16, maximum });
  } catch (err) {
    throw new MeshguardError(ErrorCodes.POLICY_BUNDLE_INVALID, `policy bundle ${path}: cannot instantiate policy.wasm: ${describeError(err)}`);
  }
}
