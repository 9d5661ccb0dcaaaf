import { describeError } from '../errors.js';
import { readBundle } from './bundle.js';
import { OpaWasmEngine, type EngineData } from './engine.js';
import { servingEngine, type ServingEngine, type ServingOptions } from './serving.js';

/** What the holder reports about loading, for /readyz, logs and metrics. */
export interface LoadStatus {
  loaded: boolean;
  version?: string;
  path?: string;
  lastError?: string;
  lastErrorAt?: string;
}

/**
 * Holds the serving policy engine. A reload builds a complete new engine (read, compile, check
 * the entrypoint, start its workers with the current data) and only then swaps one reference; the
 * old engine finishes its in-flight evaluations and is then freed. When any step fails the old
 * engine keeps serving and the failure is kept in `status`.
 */
export class PolicyHolder {
  private engine: ServingEngine | undefined;
  private data: EngineData = { config: {}, inventory: {} };
  readonly status: LoadStatus = { loaded: false };

  constructor(private readonly opts: ServingOptions) {}

  /** The serving engine, or undefined before the first successful load. */
  current(): ServingEngine | undefined {
    return this.engine;
  }

  /** Loads a bundle file and swaps it in. Returns the error message on failure (old engine kept). */
  async load(path: string): Promise<string | undefined> {
    try {
      const checked = await OpaWasmEngine.create(await readBundle(path), this.opts.memoryMiB);
      const data = this.data;
      const engine = await servingEngine(checked, data, this.opts);
      // Data pushed while the workers started reaches the new engine before it serves.
      if (this.data !== data) engine.setData(this.data);
      this.swap(engine);
      Object.assign(this.status, { loaded: true, version: engine.version, path, lastError: undefined, lastErrorAt: undefined });
      return undefined;
    } catch (err) {
      const message = describeError(err);
      Object.assign(this.status, { lastError: message, lastErrorAt: new Date().toISOString() });
      return message;
    }
  }

  /** Installs an engine built elsewhere (tests). */
  use(engine: ServingEngine): void {
    engine.setData(this.data);
    this.swap(engine);
    Object.assign(this.status, { loaded: true, version: engine.version });
  }

  /** Pushes new cluster data to the serving engine and remembers it for the next one. */
  setData(data: EngineData): void {
    this.data = data;
    this.engine?.setData(data);
  }

  /** Frees the serving engine (its workers); evaluations still running are rejected. */
  async close(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    await engine?.close();
  }

  private swap(engine: ServingEngine): void {
    const old = this.engine;
    this.engine = engine;
    void old?.retire();
  }
}
