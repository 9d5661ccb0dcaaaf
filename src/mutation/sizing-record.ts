/**
 * The `meshguard.io/sidecar-sizing` annotation: a compact JSON record of the inputs and rules
 * behind the four proxy resource annotations. It also tells a later run which annotation values
 * meshguard wrote (rule other than `user`, value unchanged) and which the user set, so a
 * re-run recomputes its own values and never mistakes them for the user's.
 *
 * Shape: `{"app":{cpu,memory,cpuLimit,memoryLimit},"profile":name|null,"ratios":{…},
 * "factors":{cpu,memory},"values":{cpu,cpuLimit,memory,memoryLimit},"rules":{…}}`; app values are
 * normalised quantities (rounded up), `null` for a limit the app does not set. With
 * `sizing.source: prometheus` the record ends with `source` and either `window` and `samples`
 * (sized from observed usage) or `fallback` (why it was sized statically).
 */
import { isRecord } from '../inventory/objects.js';
import { SIDECAR_KEYS, type SidecarConfig, type SidecarKey } from './config.js';
import type { AppResources } from './pod-resources.js';
import { formatCpu, formatMemory, formatMemoryExact } from './quantity.js';

/** The parts of a previous record a re-run needs. */
export interface SizingRecord {
  readonly values: Partial<Record<SidecarKey, string>>;
  readonly rules: Partial<Record<SidecarKey, string>>;
}

/** Formats a value of a key exactly, as a normalised quantity (memory: Mi or Gi when whole). */
export function formatValue(key: SidecarKey, value: bigint): string {
  return key.startsWith('cpu') ? formatCpu(value) : formatMemoryExact(value);
}

function strings(v: unknown): Partial<Record<SidecarKey, string>> {
  const out: Partial<Record<SidecarKey, string>> = {};
  if (!isRecord(v)) return out;
  for (const key of SIDECAR_KEYS) if (typeof v[key] === 'string') out[key] = v[key];
  return out;
}

/** Reads a previous record; undefined when absent or unreadable (then every value counts as the user's). */
export function readSizingRecord(text: string | undefined): SizingRecord | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed)) return undefined;
    return { values: strings(parsed.values), rules: strings(parsed.rules) };
  } catch {
    return undefined;
  }
}

/** True when `annotationValue` for `key` is the value meshguard itself recorded. */
export function writtenByMeshguard(record: SizingRecord | undefined, key: SidecarKey, annotationValue: string): boolean {
  if (!record) return false;
  const rule = record.rules[key];
  return rule !== undefined && rule !== 'user' && record.values[key] === annotationValue;
}

/** Serialises the record (key order fixed, so equal inputs give equal strings). */
export function writeSizingRecord(
  app: AppResources,
  profile: string | undefined,
  config: SidecarConfig,
  values: Record<SidecarKey, string>,
  rules: Record<SidecarKey, string>,
  observed?: Record<string, unknown>,
): string {
  const opt = (key: SidecarKey, v: bigint | undefined): string | null => (v === undefined ? null : key.startsWith('cpu') ? formatCpu(v) : formatMemory(v));
  const ordered = <T>(src: Record<SidecarKey, T>): Record<SidecarKey, T> =>
    Object.fromEntries(SIDECAR_KEYS.map((k) => [k, src[k]])) as Record<SidecarKey, T>;
  return JSON.stringify({
    app: {
      cpu: formatCpu(app.cpu),
      cpuLimit: opt('cpuLimit', app.cpuLimit),
      memory: formatMemory(app.memory),
      memoryLimit: opt('memoryLimit', app.memoryLimit),
    },
    profile: profile ?? null,
    ratios: ordered(config.ratios),
    factors: { cpu: config.limitFactors.cpu, memory: config.limitFactors.memory },
    values: ordered(values),
    rules: ordered(rules),
    ...observed,
  });
}
