/** The built-in rule pack as the webhook and `meshguard check` load it, for tests that evaluate objects. */
import { loadOrgConfig, type OrgConfig } from '../../src/org-config.js';
import { readBundle } from '../../src/policy/bundle.js';
import { OpaWasmEngine } from '../../src/policy/engine.js';
import { builtinBundle } from './paths.js';

/** The engine of the built-in bundle and the default org config. */
export interface BuiltinPack {
  engine: OpaWasmEngine;
  org: OrgConfig;
}

/** Loads the built-in bundle (dist/policies/bundle.tar.gz) into a Wasm engine, and the default org config. */
export async function builtinPack(): Promise<BuiltinPack> {
  return { engine: await OpaWasmEngine.create(await readBundle(builtinBundle)), org: await loadOrgConfig() };
}
