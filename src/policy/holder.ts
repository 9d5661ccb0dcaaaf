import { describeError } from '../errors.js';
import { readBundle } from './bundle.js';
import { OpaWasmEngine, type EngineData, type PolicyEngine } from './engine.js';

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
 * the entrypoint, load the current data) and only then swaps one reference; when any step fails
 * the old engine keeps serving and the failure is kept in `status`.
 */
export class PolicyHolder {
  private engine: PolicyEngine | undefined;
  private data: EngineData = { config: {}, inventory: {} };
  readonly status: LoadStatus = { loaded: false };

  constructor(private readonly memoryMiB: number) {}

  /** The serving engine, or undefined before the first successful load. */
  current(): PolicyEngine | undefined {
    return this.engine;
  }

  /** Loads a bundle file and swaps it in. Returns the error message on failure (old engine kept). */
  async load(path: string): Promise<string | undefined> {
    try {
      const engine = await OpaWasmEngine.create(await readBundle(path), this.memoryMiB);
      engine.setData(this.data);
      this.engine = engine;
      Object.assign(this.status, { loaded: true, version: engine.version, path, lastError: undefined, lastErrorAt: undefined });
      return undefined;
    } catch (err) {
      const message = describeError(err);
      Object.assign(this.status, { lastError: message, lastErrorAt: new Date().toISOString() });
      return message;
    }
  }

  /** Installs an engine built elsewhere (tests, offline commands). */
  use(engine: PolicyEngine): void {
    engine.setData(this.data);
    this.engine = engine;
    Object.assign(this.status, { loaded: true, version: engine.version });
  }

  /** Pushes new cluster data to the serving engine and remembers it for the next one. */
  setData(data: EngineData): void {
    this.data = data;
    this.engine?.setData(data);
  }
}
