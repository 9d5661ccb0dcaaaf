import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { promisify } from 'node:util';
import { ErrorCodes, MeshguardError } from '../errors.js';

const run = promisify(execFile);

/**
 * The package root (where package.json, policies/ and scripts/ live): the nearest directory above
 * this module holding a package.json, so it is the same from the compiled modules
 * (`dist/src/policy/`) and from the start-up bundle (`dist/bundle/`).
 */
export const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir + path.sep;
    if (path.dirname(dir) === dir) return fileURLToPath(new URL('../../../', import.meta.url));
  }
}

/**
 * Finds the `opa` compiler: MESHGUARD_OPA (an explicit path), else the project's pinned build in
 * `.tools/bin/opa`, installing it with `scripts/install-opa.sh` (go install) when absent.
 */
export async function resolveOpa(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const explicit = env.MESHGUARD_OPA;
  if (explicit) {
    if (!existsSync(explicit)) throw new MeshguardError(ErrorCodes.POLICY_BUILD, `MESHGUARD_OPA=${explicit} does not exist`);
    return explicit;
  }
  const script = path.join(packageRoot, 'scripts', 'install-opa.sh');
  try {
    const { stdout } = await run('bash', [script], { maxBuffer: 16 * 1024 * 1024 });
    const lines = stdout.trim().split('\n');
    const opa = lines[lines.length - 1] ?? '';
    if (!existsSync(opa)) throw new Error(`install-opa.sh printed no usable path (${opa})`);
    return opa;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new MeshguardError(ErrorCodes.POLICY_BUILD, `cannot install the opa compiler: ${stderr || (err as Error).message}`);
  }
}
