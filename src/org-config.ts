import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCodes, MeshguardError, describeError } from './errors.js';
import { isRecord } from './inventory/objects.js';
import type { ExemptionConfig, ExemptionEntry, Granters } from './policy/exemptions.js';
import { MUTATION_MESH_KEYS, parseMutationConfig } from './mutation/config-parse.js';
import type { MutationConfig } from './mutation/config.js';
import { DEFAULT_ORG_CONFIG, DEFAULT_ORG_CONFIG_CACHE, parseMapping, sha256, shippedDefaults } from './org-defaults.js';

export { DEFAULT_ORG_CONFIG, DEFAULT_ORG_CONFIG_CACHE } from './org-defaults.js';

/** Writes the JSON cache of the defaults (run by `npm run build`). */
export async function writeDefaultsCache(): Promise<void> {
  const text = await readFile(DEFAULT_ORG_CONFIG, 'utf8');
  await mkdir(path.dirname(DEFAULT_ORG_CONFIG_CACHE), { recursive: true });
  await writeFile(DEFAULT_ORG_CONFIG_CACHE, JSON.stringify({ sha256: sha256(text), value: parseMapping(text, DEFAULT_ORG_CONFIG) }));
}

/** The organisation configuration: rule settings (as the policy engine sees them) and mutation settings. */
export interface OrgConfig {
  /** The whole merged document: `data.meshguard.config` for the rules. */
  raw: Record<string, unknown>;
  exemptions: ExemptionConfig;
  /** The `mutation:` section (with the top-level mesh facts), validated at load. */
  mutation: MutationConfig;
  /** Where it came from, for logs. */
  source: string;
}

/** Deep-merges `over` onto `base`: mappings merge key by key, everything else replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

async function readYamlMapping(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MeshguardError(ErrorCodes.ORG_CONFIG_INVALID, `cannot read org config ${file}: ${describeError(err)}`);
  }
  return parseMapping(text, file);
}

/** Loads the shipped defaults, merges the user's file over them, and validates the shared parts. */
export async function loadOrgConfig(file?: string): Promise<OrgConfig> {
  const defaults = shippedDefaults();
  const raw = (file ? deepMerge(defaults, await readYamlMapping(file)) : defaults) as Record<string, unknown>;
  const source = file ?? 'built-in';
  return { raw, exemptions: parseExemptions(raw, source), mutation: mutationOf(raw, source), source };
}

/**
 * The validated `mutation:` section, with the top-level `mesh:` facts the mutators share with the
 * rules (clusterDomain, meshLabels). A bad key fails here, at load, naming it. The former
 * `mesh.injectionLabels` fails too: injection follows Istio's injector, not a setting.
 */
function mutationOf(raw: Record<string, unknown>, source: string): MutationConfig {
  const mesh = isRecord(raw.mesh) ? raw.mesh : {};
  if (mesh.injectionLabels !== undefined) {
    throw fail(source, 'mesh.injectionLabels', 'is no longer read: sidecar injection follows Istio\'s injector (namespace istio-injection=enabled or istio.io/rev, and the istio-sidecar-injector ConfigMap); remove it');
  }
  const shared = Object.fromEntries(MUTATION_MESH_KEYS.filter((k) => mesh[k] !== undefined).map((k) => [k, mesh[k]]));
  const section = raw.mutation ?? {};
  if (!isRecord(section)) throw fail(source, 'mutation', 'must be a mapping');
  try {
    return parseMutationConfig({ ...section, mesh: shared });
  } catch (err) {
    if (err instanceof MeshguardError) throw new MeshguardError(err.code, err.message.replace(/^org config /, `org config ${source}: `));
    throw err;
  }
}

/** The org config with the mutation settings changed (the CLI's `--templates`), revalidated. */
export function withMutation(org: OrgConfig, over: Record<string, unknown>): OrgConfig {
  const raw = deepMerge(org.raw, { mutation: over }) as Record<string, unknown>;
  return { ...org, raw, mutation: mutationOf(raw, org.source) };
}

function fail(source: string, where: string, what: string): MeshguardError {
  return new MeshguardError(ErrorCodes.ORG_CONFIG_INVALID, `org config ${source}: ${where} ${what}`);
}

function stringList(value: unknown, source: string, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw fail(source, where, 'must be a list of strings');
  return value as string[];
}

function parseGranters(value: unknown, source: string): Granters {
  // The shipped defaults (config/org-config.yaml) name the granters; absent means nobody.
  if (value === undefined) return { users: [], groups: [] };
  if (!isRecord(value)) throw fail(source, 'exemptions.granters', 'must be a mapping with users and groups');
  const unknown = Object.keys(value).filter((k) => k !== 'users' && k !== 'groups');
  if (unknown.length > 0) throw fail(source, `exemptions.granters.${unknown[0]}`, 'is not a known key (users, groups)');
  const users = stringList(value.users, source, 'exemptions.granters.users') ?? [];
  const groups = stringList(value.groups, source, 'exemptions.granters.groups') ?? [];
  for (const [where, list] of [['users', users], ['groups', groups]] as const) {
    if (list.some((v) => v.trim() === '')) throw fail(source, `exemptions.granters.${where}`, 'must not contain empty names');
  }
  return { users, groups };
}

function parseControllers(value: unknown, source: string): string[] {
  const list = stringList(value, source, 'exemptions.workloadControllers') ?? [];
  if (list.some((v) => v.trim() === '')) throw fail(source, 'exemptions.workloadControllers', 'must not contain empty names');
  return list;
}

function parseHorizon(value: unknown, source: string): number {
  // Always set: the shipped defaults (config/org-config.yaml) carry it.
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 3650) throw fail(source, 'exemptions.horizonDays', 'must be a whole number of days from 1 to 3650');
  return value;
}

function parseLocked(rules: unknown, source: string): Set<string> {
  const locked = new Set<string>();
  if (rules === undefined) return locked;
  if (!isRecord(rules)) throw fail(source, 'rules', 'must be a mapping of rule ids');
  for (const [id, rule] of Object.entries(rules)) {
    if (!isRecord(rule) || rule.locked === undefined) continue;
    if (typeof rule.locked !== 'boolean') throw fail(source, `rules.${id}.locked`, 'must be true or false');
    if (rule.locked) locked.add(id);
  }
  return locked;
}

function parseNamespaceLabel(value: unknown, source: string): string {
  if (value === undefined) return 'meshguard.io/enforcement';
  const label = isRecord(value) ? (value.namespaceLabel ?? 'meshguard.io/enforcement') : undefined;
  if (typeof label !== 'string' || label === '') throw fail(source, 'enforcement.namespaceLabel', 'must be a label key');
  return label;
}

function parseEntries(list: unknown, source: string): ExemptionEntry[] {
  if (!Array.isArray(list)) throw fail(source, 'exemptions.entries', 'must be a list');
  return list.map((e, i): ExemptionEntry => {
    const where = `exemptions.entries[${i}]`;
    if (!isRecord(e)) throw fail(source, where, 'must be a mapping');
    const namespaces = stringList(e.namespaces, source, `${where}.namespaces`);
    const rules = stringList(e.rules, source, `${where}.rules`);
    if (e.selector !== undefined && !isRecord(e.selector)) throw fail(source, `${where}.selector`, 'must be a label selector');
    if (!namespaces && !e.selector) throw fail(source, where, 'needs namespaces or selector');
    const entry: ExemptionEntry = {};
    if (namespaces) entry.namespaces = namespaces;
    if (rules) entry.rules = rules;
    if (e.selector) entry.selector = e.selector as ExemptionEntry['selector'] & object;
    return entry;
  });
}

/** The exemption model: entries, granters, horizon, locked rules and the enforcement label. */
function parseExemptions(raw: Record<string, unknown>, source: string): ExemptionConfig {
  const value = raw.exemptions ?? {};
  if (!isRecord(value)) throw fail(source, 'exemptions', 'must be a mapping');
  const annotation = value.annotation ?? 'meshguard.io/exempt';
  if (typeof annotation !== 'string' || annotation === '') throw fail(source, 'exemptions.annotation', 'must be a string');
  return {
    annotation,
    entries: parseEntries(value.entries ?? [], source),
    granters: parseGranters(value.granters, source),
    workloadControllers: parseControllers(value.workloadControllers, source),
    horizonDays: parseHorizon(value.horizonDays, source),
    locked: parseLocked(raw.rules, source),
    namespaceLabel: parseNamespaceLabel(raw.enforcement, source),
  };
}
