/**
 * The org config's `sizing:` section: where sidecar sizes come from. `source: static` (the
 * default) keeps the ratio sizing of `mutation.sidecar`; `source: prometheus` sizes `istio-proxy`
 * from its observed usage, kept per workload by a background refresher (never a Prometheus call on
 * the admission path). `config/org-config.yaml` documents every key.
 */
import { ErrorCodes, MeshguardError } from '../errors.js';
import { isRecord } from '../inventory/objects.js';

/** The validated `sizing:` section; durations in seconds. */
export interface SizingConfig {
  readonly source: 'static' | 'prometheus';
  /** apply: new Pods (and templates) get the recommendation; recommend: only reported. */
  readonly mode: 'apply' | 'recommend';
  readonly prometheus: {
    readonly url: string;
    /** File holding a bearer token sent as `Authorization: Bearer` (re-read on every refresh). */
    readonly bearerTokenFile: string;
    readonly basicAuth: { readonly username: string; readonly passwordFile: string };
    readonly timeoutSeconds: number;
  };
  /** Seconds between background refreshes. */
  readonly refreshInterval: number;
  /** History the recommendation looks at, and the resolution of its samples. */
  readonly window: number;
  readonly step: number;
  /** Less history than this (per workload) falls back to static sizing. */
  readonly minHistory: number;
  /** A workload without a sample this recent, or a cache not refreshed this recently, falls back. */
  readonly staleAfter: number;
  /** CPU request = this quantile of the per-pod CPU rate samples × (1 + headroom.cpu). */
  readonly cpuQuantile: number;
  /** Fractions added on top: CPU to the quantile, memory to the peak working set. */
  readonly headroom: { readonly cpu: number; readonly memory: number };
  /** A new recommendation replaces the previous one only when it differs by more than this fraction. */
  readonly hysteresis: number;
}

/** The built-in defaults (`config/org-config.yaml` documents them; a unit test checks they agree). */
export const defaultSizingConfig: SizingConfig = Object.freeze({
  source: 'static',
  mode: 'apply',
  prometheus: Object.freeze({ url: '', bearerTokenFile: '', basicAuth: Object.freeze({ username: '', passwordFile: '' }), timeoutSeconds: 10 }),
  refreshInterval: 300,
  window: 7 * 86400,
  step: 300,
  minHistory: 86400,
  staleAfter: 3600,
  cpuQuantile: 0.95,
  headroom: Object.freeze({ cpu: 0.2, memory: 0.2 }),
  hysteresis: 0.1,
}) as SizingConfig;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Parses `90s`, `5m`, `24h`, `7d`, `1w` (or a number of seconds) into whole seconds. */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text === 'number' && Number.isInteger(text) && text > 0) return text;
  const m = typeof text === 'string' ? /^(\d+)([smhdw])$/.exec(text.trim()) : null;
  if (!m) return undefined;
  const seconds = Number(m[1]) * (UNITS[m[2]!] ?? 0);
  return seconds > 0 ? seconds : undefined;
}

/** Formats seconds the way PromQL writes a range (`7d`, `36h`, `90s`). */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['w', 604800], ['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

function fail(path: string, message: string): never {
  throw new MeshguardError(ErrorCodes.ORG_CONFIG_INVALID, `org config ${path}: ${message}`);
}

function mapping(path: string, v: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) fail(path, 'expected a mapping');
  for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(`${path}.${k}`, `unknown setting (allowed: ${allowed.join(', ')})`);
  return v;
}

function pick<T>(path: string, v: unknown, fallback: T, check: (x: unknown) => x is T, expected: string): T {
  if (v === undefined) return fallback;
  if (!check(v)) fail(path, `expected ${expected}`);
  return v;
}

const isString = (x: unknown): x is string => typeof x === 'string';
const fraction = (lo: number, hi: number) => (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= lo && x <= hi;

function duration(path: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  const seconds = parseDuration(v);
  if (seconds === undefined) fail(path, 'expected a duration such as 90s, 5m, 24h or 7d');
  return seconds;
}

function oneOf<T extends string>(path: string, v: unknown, fallback: T, values: readonly T[]): T {
  return pick(path, v, fallback, (x): x is T => values.includes(x as T), `one of ${values.join(', ')}`);
}

function prometheus(path: string, v: unknown): SizingConfig['prometheus'] {
  const d = defaultSizingConfig.prometheus;
  const r = mapping(path, v, ['url', 'bearerTokenFile', 'basicAuth', 'timeoutSeconds']);
  const basic = mapping(`${path}.basicAuth`, r.basicAuth, ['username', 'passwordFile']);
  const url = pick(`${path}.url`, r.url, d.url, isString, 'a string');
  if (url !== '' && !/^https?:\/\/[^\s/]+/.test(url)) fail(`${path}.url`, 'expected an http:// or https:// URL');
  // The URL appears in logs and in fallback reasons on pods: credentials go in basicAuth or a token file.
  if (/^https?:\/\/[^/]*@/.test(url)) fail(`${path}.url`, 'must not contain credentials (use basicAuth or bearerTokenFile)');
  return {
    url,
    bearerTokenFile: pick(`${path}.bearerTokenFile`, r.bearerTokenFile, d.bearerTokenFile, isString, 'a file path'),
    basicAuth: {
      username: pick(`${path}.basicAuth.username`, basic.username, d.basicAuth.username, isString, 'a string'),
      passwordFile: pick(`${path}.basicAuth.passwordFile`, basic.passwordFile, d.basicAuth.passwordFile, isString, 'a file path'),
    },
    timeoutSeconds: pick(`${path}.timeoutSeconds`, r.timeoutSeconds, d.timeoutSeconds, fraction(1, 300), 'a number of seconds from 1 to 300'),
  };
}

/**
 * Validates the org config's `sizing:` section over {@link defaultSizingConfig}; `undefined` or
 * `null` gives the defaults. `source: prometheus` needs `prometheus.url`.
 * @throws MeshguardError ORG_CONFIG_INVALID naming the key path, e.g. `sizing.cpuQuantile`.
 */
export function parseSizingConfig(raw: unknown): SizingConfig {
  const d = defaultSizingConfig;
  const r = mapping('sizing', raw, Object.keys(d));
  const headroom = mapping('sizing.headroom', r.headroom, ['cpu', 'memory']);
  const config: SizingConfig = {
    source: oneOf('sizing.source', r.source, d.source, ['static', 'prometheus']),
    mode: oneOf('sizing.mode', r.mode, d.mode, ['apply', 'recommend']),
    prometheus: prometheus('sizing.prometheus', r.prometheus),
    refreshInterval: duration('sizing.refreshInterval', r.refreshInterval, d.refreshInterval),
    window: duration('sizing.window', r.window, d.window),
    step: duration('sizing.step', r.step, d.step),
    minHistory: duration('sizing.minHistory', r.minHistory, d.minHistory),
    staleAfter: duration('sizing.staleAfter', r.staleAfter, d.staleAfter),
    cpuQuantile: pick('sizing.cpuQuantile', r.cpuQuantile, d.cpuQuantile, fraction(0.5, 1), 'a number from 0.5 to 1'),
    headroom: {
      cpu: pick('sizing.headroom.cpu', headroom.cpu, d.headroom.cpu, fraction(0, 10), 'a number from 0 to 10'),
      memory: pick('sizing.headroom.memory', headroom.memory, d.headroom.memory, fraction(0, 10), 'a number from 0 to 10'),
    },
    hysteresis: pick('sizing.hysteresis', r.hysteresis, d.hysteresis, fraction(0, 1), 'a number from 0 to 1'),
  };
  if (config.source === 'prometheus' && config.prometheus.url === '') fail('sizing.prometheus.url', 'is required with source: prometheus');
  if (config.step > config.window) fail('sizing.step', 'must not be longer than sizing.window');
  if (config.minHistory > config.window) fail('sizing.minHistory', 'must not be longer than sizing.window');
  // Prometheus refuses range queries of more than 11,000 points per series.
  if (config.window / config.step > 11_000) fail('sizing.step', `gives ${Math.ceil(config.window / config.step)} samples per pod over sizing.window; Prometheus answers at most 11000`);
  return config;
}

const parsedConfigs = new WeakMap<object, SizingConfig>();

/** The `sizing:` section of a loaded org config, validated once per load (see {@link parseSizingConfig}). */
export function sizingConfigOf(org: { raw: Record<string, unknown> }): SizingConfig {
  let config = parsedConfigs.get(org);
  if (!config) {
    config = parseSizingConfig(org.raw.sizing);
    parsedConfigs.set(org, config);
  }
  return config;
}
