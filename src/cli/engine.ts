import { existsSync } from 'node:fs';
import { ErrorCodes, MeshguardError } from '../errors.js';
import { readBundle } from '../policy/bundle.js';
import { OpaWasmEngine } from '../policy/engine.js';
import { BUILTIN_BUNDLE } from '../policy/service.js';

/** Loads a bundle for an offline command, the built-in pack by default. */
export async function offlineEngine(bundlePath?: string): Promise<OpaWasmEngine> {
  const path = bundlePath ?? BUILTIN_BUNDLE;
  if (!bundlePath && !existsSync(path)) {
    throw new MeshguardError(ErrorCodes.POLICY_NOT_LOADED, `the built-in policy bundle is not built (${path}); run npm run build`);
  }
  return OpaWasmEngine.create(await readBundle(path));
}
