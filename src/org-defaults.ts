/**
 * The shipped org config defaults (`config/org-config.yaml`): the one place every default is
 * written, rules and mutation alike. Read synchronously once per process (the mutation defaults
 * are needed by code that has no async start), from the JSON cache `npm run build` writes when
 * its hash matches the YAML, else from the YAML.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, MeshguardError, describeError } from './errors.js';
import { isRecord } from './inventory/objects.js';
import { packageRoot } from './policy/opa-binary.js';

/** The shipped defaults every org config is merged over. */
export const DEFAULT_ORG_CONFIG = path.join(packageRoot, 'config', 'org-config.yaml');

/** The defaults as JSON with the hash of the YAML they came from (written by `npm run build`). */
export const DEFAULT_ORG_CONFIG_CACHE = path.join(packageRoot, 'dist', 'config', 'org-config.json');

/** Hex SHA-256 of a text (the cache's key). */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Parses an org config document; it must be a YAML mapping (empty is `{}`). */
export function parseMapping(text: string, file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new MeshguardError(ErrorCodes.ORG_CONFIG_INVALID, `cannot read org config ${file}: ${describeError(err)}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isRecord(parsed)) throw new MeshguardError(ErrorCodes.ORG_CONFIG_INVALID, `org config ${file} must be a YAML mapping`);
  return parsed;
}

let shipped: Record<string, unknown> | undefined;

/** The shipped defaults (read once; callers must not modify the result). */
export function shippedDefaults(): Record<string, unknown> {
  if (shipped) return shipped;
  let text: string;
  try {
    text = readFileSync(DEFAULT_ORG_CONFIG, 'utf8');
  } catch (err) {
    throw new MeshguardError(ErrorCodes.ORG_CONFIG_INVALID, `cannot read org config ${DEFAULT_ORG_CONFIG}: ${describeError(err)}`);
  }
  try {
    const cache = JSON.parse(readFileSync(DEFAULT_ORG_CONFIG_CACHE, 'utf8')) as { sha256?: string; value?: unknown };
    if (cache.sha256 === sha256(text) && isRecord(cache.value)) shipped = cache.value;
  } catch {
    // No cache (not built yet) or an unreadable one: parse the YAML.
  }
  shipped ??= parseMapping(text, DEFAULT_ORG_CONFIG);
  return shipped;
}
