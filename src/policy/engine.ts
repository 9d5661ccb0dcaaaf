import * as opaModule from '@open-policy-agent/opa-wasm';
import type { LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { ENTRYPOINT } from './build.js';
import type { PolicyBundle } from './bundle.js';
import { OTHER_KINDS, entryKind, kindEntrypointIds } from './kind-entrypoints.js';
import type { RuleCatalog, Violation } from './types.js';

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
  inventory: unknown;
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
  private dataBytes: ArrayBuffer;
  /** Per-kind entrypoints (kind-entrypoints.ts); undefined for a bundle built without them. */
  private readonly kindEntrypoints: Map<string, number> | undefined;

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
    this.dataBytes = this.compose({ config: {}, inventory: {} });
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

  setData(data: EngineData): void {
    const bytes = this.compose(data);
    try {
      this.policy.setData(bytes);
      this.dataBytes = bytes;
    } catch (err) {
      throw new MeshguardError(ErrorCodes.POLICY_EVALUATION, `cannot load policy data: ${describeError(err)}`);
    }
  }

  private compose(data: EngineData): ArrayBuffer {
    const own = (this.bundleData.meshguard ?? {}) as Record<string, unknown>;
    const full = { ...this.bundleData, meshguard: { ...own, config: data.config, inventory: data.inventory, inventory_scopes: data.scopes ?? {}, meshConfig: data.meshConfig ?? {} } };
    const encoded = new TextEncoder().encode(JSON.stringify(full));
    return encoded.buffer.slice(encoded.byteOffset, encoded.byteOffset + encoded.byteLength) as ArrayBuffer;
  }

  /** Replaces a trapped instance with a fresh one holding the same data. */
  private recover(): void {
    try {
      const fresh = opa.loadPolicySync(this.module, { initial: Math.min(INITIAL_PAGES, this.memoryPages), maximum: this.memoryPages });
      fresh.setData(this.dataBytes);
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

function instantiate(module: WebAssembly.Module, maximum: number, path: string): LoadedPolicy {
  try {
    // The synchronous loader: the module is compiled already, and the async one probes the global
    // `Response`, which makes Node load its fetch implementation (tens of ms at start).
    return opa.loadPolicySync(module, { initial: Math.min(INITIAL_PAGES, maximum), maximum });
  } catch (err) {
    throw new MeshguardError(ErrorCodes.POLICY_BUNDLE_INVALID, `policy bundle ${path}: cannot instantiate policy.wasm: ${describeError(err)}`);
  }
}
