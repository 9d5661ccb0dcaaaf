/**
 * Validation of the org config's `mutation:` section. The section is deep-merged over
 * the shipped defaults ({@link defaultMutationConfig}; objects merge key by key; arrays and scalars replace), then every
 * key is checked. Unknown keys are errors, so a typo never silently does nothing.
 */
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { isRecord } from '../inventory/objects.js';
import { shippedDefaults } from '../org-defaults.js';
import {
  SIDECAR_KEYS,
  freezeConfig,
  type LabelMatch,
  type MutationConfig,
  type SidecarConfig,
  type SidecarProfile,
  type SidecarValues,
} from './config.js';
import { parseCpuMillis, parseMemoryBytes } from './quantity.js';

const ROOT = 'mutation';
const SECTIONS = ['maxPasses', 'mesh', 'sidecar', 'mtls', 'telemetry', 'warnings', 'waypoint'];

/** Keys of the org config's top-level `mesh:` that the mutators read (as `mutation.mesh`). */
export const MUTATION_MESH_KEYS = ['clusterDomain', 'meshLabels'];

/** The shipped `mutation:` section with the shipped top-level mesh facts: the defaults. */
function shippedSection(): Record<string, unknown> {
  const shipped = shippedDefaults();
  const mesh = isRecord(shipped.mesh) ? shipped.mesh : {};
  const mutation = isRecord(shipped.mutation) ? shipped.mutation : {};
  return { ...mutation, mesh: Object.fromEntries(MUTATION_MESH_KEYS.filter((k) => mesh[k] !== undefined).map((k) => [k, mesh[k]])) };
}

let defaults: MutationConfig | undefined;

/**
 * The built-in mutation settings: the shipped `config/org-config.yaml` (its `mutation:` section
 * and top-level `mesh:` facts), the one place they are written. Read and validated once.
 */
export function defaultMutationConfig(): MutationConfig {
  defaults ??= parseMutationConfig(undefined);
  return defaults;
}

function fail(path: string, message: string): never {
  throw new MeshguardError(ErrorCodes.ORG_CONFIG_INVALID, `org config ${path}: ${message}`);
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (!isRecord(base) || !isRecord(over)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function record(path: string, v: unknown, allowed?: readonly string[]): Record<string, unknown> {
  if (!isRecord(v)) fail(path, 'expected a mapping');
  if (allowed) {
    for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(`${path}.${k}`, `unknown setting (allowed: ${allowed.join(', ')})`);
  }
  return v;
}

function bool(path: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(path, 'expected true or false');
  return v;
}

function num(path: string, v: unknown, min: number, max: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    fail(path, `expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return v;
}

function str(path: string, v: unknown, allowEmpty = false): string {
  if (typeof v !== 'string' || (!allowEmpty && v === '')) fail(path, 'expected a non-empty string');
  return v;
}

function quantity(path: string, v: unknown, key: string): string {
  const text = typeof v === 'number' ? String(v) : str(path, v);
  try {
    const value = key.startsWith('cpu') ? parseCpuMillis(text) : parseMemoryBytes(text);
    if (value < 0n) fail(path, 'must not be negative');
  } catch (err) {
    if (err instanceof MeshguardError && err.code === ErrorCodes.ORG_CONFIG_INVALID) throw err;
    fail(path, describeError(err));
  }
  return text;
}

function labels(path: string, v: unknown): LabelMatch[] {
  if (!Array.isArray(v)) fail(path, 'expected a list of {key, value?}');
  return v.map((entry, i) => {
    const p = `${path}[${i}]`;
    const r = record(p, entry, ['key', 'value']);
    const key = str(`${p}.key`, r.key);
    return r.value === undefined ? { key } : { key, value: str(`${p}.value`, r.value, true) };
  });
}

function values(path: string, v: unknown, complete: boolean): SidecarValues {
  const r = record(path, v, SIDECAR_KEYS);
  const out: Record<string, string> = {};
  for (const key of SIDECAR_KEYS) {
    if (r[key] === undefined) {
      if (complete) fail(`${path}.${key}`, 'is required');
      continue;
    }
    out[key] = quantity(`${path}.${key}`, r[key], key);
  }
  return out;
}

function amount(key: string, text: string): bigint {
  return key.startsWith('cpu') ? parseCpuMillis(text) : parseMemoryBytes(text);
}

function checkOrdered(path: string, low: SidecarValues, high: SidecarValues, lowName: string, highName: string): void {
  for (const key of SIDECAR_KEYS) {
    const a = low[key];
    const b = high[key];
    if (a !== undefined && b !== undefined && amount(key, a) > amount(key, b)) {
      fail(`${path}.${lowName}.${key}`, `${a} is above ${highName} ${b}`);
    }
  }
}

function profile(path: string, v: unknown): SidecarProfile {
  const r = record(path, v, ['set', 'min', 'max']);
  const out: { set?: SidecarValues; min?: SidecarValues; max?: SidecarValues } = {};
  for (const part of ['set', 'min', 'max'] as const) {
    if (r[part] !== undefined) out[part] = values(`${path}.${part}`, r[part], false);
  }
  if (out.min && out.max) checkOrdered(path, out.min, out.max, 'min', 'max');
  return out;
}

function sidecar(path: string, v: unknown): SidecarConfig {
  const shippedSidecar = shippedSection().sidecar;
  const r = record(path, v, Object.keys(isRecord(shippedSidecar) ? shippedSidecar : {}));
  const ratios = record(`${path}.ratios`, r.ratios, SIDECAR_KEYS);
  const factors = record(`${path}.limitFactors`, r.limitFactors, ['cpu', 'memory']);
  const base = record(`${path}.base`, r.base, ['cpu', 'memory']);
  const profilesIn = record(`${path}.profiles`, r.profiles);
  const profiles: Record<string, SidecarProfile> = {};
  for (const [name, p] of Object.entries(profilesIn)) profiles[name] = profile(`${path}.profiles.${name}`, p);
  const floors = values(`${path}.floors`, r.floors, true) as Required<SidecarValues>;
  const ceilings = values(`${path}.ceilings`, r.ceilings, true) as Required<SidecarValues>;
  checkOrdered(path, floors, ceilings, 'floors', 'ceilings');
  const defaultProfile = str(`${path}.defaultProfile`, r.defaultProfile, true);
  if (defaultProfile !== '' && !(defaultProfile in profiles)) fail(`${path}.defaultProfile`, `no profile named ${JSON.stringify(defaultProfile)}`);
  const ratio = (k: string): number => num(`${path}.ratios.${k}`, ratios[k], 0, 100);
  const factor = (k: string): number => num(`${path}.limitFactors.${k}`, factors[k], 1, 1000);
  return {
    enabled: bool(`${path}.enabled`, r.enabled),
    templates: bool(`${path}.templates`, r.templates),
    enforceComputed: bool(`${path}.enforceComputed`, r.enforceComputed),
    profileKey: str(`${path}.profileKey`, r.profileKey),
    defaultProfile,
    ratios: { cpu: ratio('cpu'), cpuLimit: ratio('cpuLimit'), memory: ratio('memory'), memoryLimit: ratio('memoryLimit') },
    limitFactors: { cpu: factor('cpu'), memory: factor('memory') },
    base: { cpu: quantity(`${path}.base.cpu`, base.cpu, 'cpu'), memory: quantity(`${path}.base.memory`, base.memory, 'memory') },
    floors,
    ceilings,
    profiles,
  };
}

function mesh(path: string, v: unknown): MutationConfig['mesh'] {
  const r = record(path, v, ['clusterDomain', 'meshLabels']);
  const clusterDomain = str(`${path}.clusterDomain`, r.clusterDomain).replace(/^\.+|\.+$/g, '');
  if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(clusterDomain)) fail(`${path}.clusterDomain`, 'expected a DNS domain');
  return {
    clusterDomain,
    meshLabels: labels(`${path}.meshLabels`, r.meshLabels),
  };
}

function telemetry(path: string, v: unknown): MutationConfig['telemetry'] {
  const r = record(path, v, ['enabled', 'defaultSamplingPercentage', 'proxyConfigDefaults']);
  return {
    enabled: bool(`${path}.enabled`, r.enabled),
    defaultSamplingPercentage: num(`${path}.defaultSamplingPercentage`, r.defaultSamplingPercentage, 0, 100),
    proxyConfigDefaults: structuredClone(record(`${path}.proxyConfigDefaults`, r.proxyConfigDefaults)),
  };
}

function waypoint(path: string, v: unknown): MutationConfig['waypoint'] {
  const r = record(path, v, ['enabled', 'resources']);
  const resources = values(`${path}.resources`, r.resources, true) as Required<SidecarValues>;
  checkOrdered(`${path}.resources`, { cpu: resources.cpu, memory: resources.memory }, { cpu: resources.cpuLimit, memory: resources.memoryLimit }, 'request', 'limit');
  return { enabled: bool(`${path}.enabled`, r.enabled), resources };
}

/**
 * Validates the org config's `mutation:` section, deep-merged over the shipped defaults.
 * `undefined` or `null` yields the defaults. Quantities are kept as written (numbers become strings).
 * @returns a frozen config.
 * @throws MeshguardError ORG_CONFIG_INVALID naming the bad key path, e.g. `mutation.sidecar.ratios.cpu`.
 */
export function parseMutationConfig(raw: unknown): MutationConfig {
  if (raw !== undefined && raw !== null && !isRecord(raw)) fail(ROOT, 'expected a mapping');
  const merged = record(ROOT, deepMerge(shippedSection(), raw ?? undefined), SECTIONS);
  const mtls = record(`${ROOT}.mtls`, merged.mtls, ['enabled']);
  return freezeConfig({
    maxPasses: num(`${ROOT}.maxPasses`, merged.maxPasses, 2, 10, true),
    warnings: bool(`${ROOT}.warnings`, merged.warnings),
    mesh: mesh(`${ROOT}.mesh`, merged.mesh),
    sidecar: sidecar(`${ROOT}.sidecar`, merged.sidecar),
    mtls: { enabled: bool(`${ROOT}.mtls.enabled`, mtls.enabled) },
    telemetry: telemetry(`${ROOT}.telemetry`, merged.telemetry),
    waypoint: waypoint(`${ROOT}.waypoint`, merged.waypoint),
  });
}
