import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { promisify } from 'node:util';
import { ErrorCodes, MeshguardError } from '../errors.js';

const run = promisify(execFile);

/** The package root (where package.json, policies/ and scripts/ live). */
export const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

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
