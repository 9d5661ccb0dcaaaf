/**
 * The `meshguard.io/sidecar-sizing` annotation: a JSON record that explains, in words and numbers,
 * where each of the four proxy resource values came from. It also tells a later run which
 * annotation values meshguard wrote (`setBy: meshguard`, value unchanged) and which the user set,
 * so a re-run recomputes its own values and never mistakes them for the user's.
 *
 * Shape (keys in this order):
 * ```json
 * {"cpu":{"value":"50m","setBy":"meshguard","source":"10% of the app's cpu request 500m"},
 *  "cpuLimit":{"value":"250m","setBy":"meshguard","source":"5x the cpu request"},
 *  "memory":{"value":"128Mi","setBy":"you","source":"your annotation sidecar.istio.io/proxyMemory"},
 *  "memoryLimit":{…},
 *  "app":{"cpuRequest":"500m","cpuLimit":"none","memoryRequest":"512Mi","memoryLimit":"1Gi"},
 *  "profile":"medium"}
 * ```
 * App values are the pod's effective resources (Kubernetes' rule, rounded up); a limit is `none`
 * when some container sets none. `profile` is present only when one was selected. With
 * `sizing.source: prometheus` the record ends with `source` and either `window` and `samples`
 * (sized from observed usage) or `fallback` (why it was sized statically).
 */
import { isRecord } from '../inventory/objects.js';
import { PROXY_RESOURCE_ANNOTATIONS } from './annotations.js';
import { BoundedMemo } from './memo.js';
import { SIDECAR_KEYS, type SidecarConfig, type SidecarKey } from './config.js';
import type { AppResources } from './pod-resources.js';
import { formatCpu, formatMemory, formatMemoryExact } from './quantity.js';

/** One value of the record: what was written, whether the user or meshguard chose it, and why. */
export interface SizingEntry {
  readonly value: string;
  readonly setBy: 'you' | 'meshguard';
  readonly source: string;
}

/** The parts of a previous record a re-run (and an explanation) needs. */
export type SizingRecord = Partial<Record<SidecarKey, SizingEntry>>;

/** The resource and the part (request or limit) a key stands for, in words. */
export const KEY_WORDS: Readonly<Record<SidecarKey, { resource: 'cpu' | 'memory'; part: 'request' | 'limit' }>> = {
  cpu: { resource: 'cpu', part: 'request' },
  cpuLimit: { resource: 'cpu', part: 'limit' },
  memory: { resource: 'memory', part: 'request' },
  memoryLimit: { resource: 'memory', part: 'limit' },
};

/** Formats a value of a key exactly, as a normalised quantity (memory: Mi or Gi when whole). */
export function formatValue(key: SidecarKey, value: bigint): string {
  return key.startsWith('cpu') ? formatCpu(value) : formatMemoryExact(value);
}

function entry(v: unknown): SizingEntry | undefined {
  if (!isRecord(v) || typeof v.value !== 'string' || typeof v.source !== 'string') return undefined;
  if (v.setBy !== 'you' && v.setBy !== 'meshguard') return undefined;
  return { value: v.value, setBy: v.setBy, source: v.source };
}

/** A value of the record earlier format (`values` and `rules` maps), so objects sized by an earlier version keep being re-sized. */
function formerEntry(parsed: Record<string, unknown>, key: SidecarKey): SizingEntry | undefined {
  const value = isRecord(parsed.values) ? parsed.values[key] : undefined;
  const rule = isRecord(parsed.rules) ? parsed.rules[key] : undefined;
  if (typeof value !== 'string' || typeof rule !== 'string') return undefined;
  return { value, setBy: rule === 'user' ? 'you' : 'meshguard', source: rule };
}

/** Reads a previous record; undefined when absent or unreadable (then every value counts as the user's). */
export function readSizingRecord(text: string | undefined): SizingRecord | undefined {
  if (text === undefined) return undefined;
  return readRecords.get(text, parseRecord);
}

/** Records read before: a re-run (the runner's second pass, a re-sized pod) reads what it wrote. */
const readRecords = new BoundedMemo<Readonly<SizingRecord> | undefined>(256, 4096);

function parseRecord(text: string): Readonly<SizingRecord> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed)) return undefined;
    const out: Partial<Record<SidecarKey, SizingEntry>> = {};
    for (const key of SIDECAR_KEYS) {
      const e = entry(parsed[key]) ?? formerEntry(parsed, key);
      if (e) out[key] = Object.freeze(e);
    }
    return Object.freeze(out);
  } catch {
    return undefined;
  }
}

/** True when `annotationValue` for `key` is the value meshguard itself recorded. */
export function writtenByMeshguard(record: SizingRecord | undefined, key: SidecarKey, annotationValue: string): boolean {
  const e = record?.[key];
  return e !== undefined && e.setBy === 'meshguard' && e.value === annotationValue;
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(4))}%`;
}

function appValue(key: SidecarKey, app: AppResources): string {
  const v = app[key];
  if (v === undefined) return 'none';
  return key.startsWith('cpu') ? formatCpu(v) : formatMemory(v);
}

/** Why a key has its value, in words, from the sizing rule that set it (see sizing.ts). */
export function sourceWords(key: SidecarKey, rule: string, app: AppResources, config: SidecarConfig): string {
  const { resource, part } = KEY_WORDS[key];
  if (rule.startsWith('profile:')) return `profile ${rule.slice('profile:'.length)}`;
  switch (rule) {
    case 'ratio': return `${percent(config.ratios[key])} of the app's ${resource} ${part} ${appValue(key, app)}`;
    case 'base': return `the app requests no ${resource}: mutation.sidecar.base.${resource}`;
    case 'factor': return `${config.limitFactors[resource]}x the ${resource} request`;
    case 'floor': return `raised to the floor mutation.sidecar.floors.${key}`;
    case 'ceiling': return `lowered to the ceiling mutation.sidecar.ceilings.${key}`;
    case 'range': return 'kept within the bounds of rule pod-proxy-resources-range';
    case 'user': return `your annotation ${PROXY_RESOURCE_ANNOTATIONS[key]}`;
    case 'observed': return `observed ${resource} usage`;
    case 'request': return `raised to the ${resource} request (a limit is never below its request)`;
    case 'limit': return `lowered to your ${resource} limit (a request is never above its limit)`;
    default: return rule;
  }
}

/** Records written before, per sizing config (a config reload starts afresh). */
const writtenRecords = new WeakMap<SidecarConfig, BoundedMemo<string>>();

/**
 * Serialises the record (key order fixed, so equal inputs give equal strings). Without `observed`
 * the text is a pure function of the other inputs and is remembered: the runner's second pass
 * and pods of the same shape get the same string without building it again.
 */
export function writeSizingRecord(
  app: AppResources,
  profile: string | undefined,
  config: SidecarConfig,
  values: Record<SidecarKey, string>,
  rules: Record<SidecarKey, string>,
  observed?: Record<string, unknown>,
): string {
  // The key joins the inputs with NUL, which no quantity and no rule name holds; a profile name
  // that does (the org config's own choice) is simply not remembered.
  if (observed !== undefined || profile?.includes('\0')) return serialiseRecord({ app, profile, config, values, rules, observed });
  let memo = writtenRecords.get(config);
  if (!memo) writtenRecords.set(config, (memo = new BoundedMemo<string>(256, 1024)));
  const key = `${app.cpu}\0${app.cpuLimit}\0${app.memory}\0${app.memoryLimit}\0${profile === undefined ? '' : `=${profile}`}\0${values.cpu}\0${rules.cpu}\0${values.cpuLimit}\0${rules.cpuLimit}\0${values.memory}\0${rules.memory}\0${values.memoryLimit}\0${rules.memoryLimit}`;
  return memo.get(key, () => serialiseRecord({ app, profile, config, values, rules }));
}

/** What a sizing record is written from: the arguments of {@link writeSizingRecord}. */
interface RecordInputs {
  app: AppResources;
  profile: string | undefined;
  config: SidecarConfig;
  values: Record<SidecarKey, string>;
  rules: Record<SidecarKey, string>;
  observed?: Record<string, unknown>;
}

function serialiseRecord({ app, profile, config, values, rules, observed }: RecordInputs): string {
  const entries = Object.fromEntries(SIDECAR_KEYS.map((key): [SidecarKey, SizingEntry] => [key, {
    value: values[key],
    setBy: rules[key] === 'user' ? 'you' : 'meshguard',
    source: sourceWords(key, rules[key], app, config),
  }]));
  return JSON.stringify({
    ...entries,
    app: { cpuRequest: appValue('cpu', app), cpuLimit: appValue('cpuLimit', app), memoryRequest: appValue('memory', app), memoryLimit: appValue('memoryLimit', app) },
    ...(profile !== undefined ? { profile } : {}),
    ...observed,
  });
}
