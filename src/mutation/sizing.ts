/**
 * Sidecar sizing: from the app's effective resources to the four proxy values. Pure arithmetic
 * on BigInt millicores and bytes. The steps, each recorded as the rule of the value it set:
 *
 * 1. requests (`cpu`, `memory`): `ratio` × the app's effective request, or `base` when the app
 *    requests none of that resource; memory rounded up to whole Mi; with `observed` requests
 *    (`sizing.source: prometheus`) those instead (`observed`), and limits then take step 5's `factor`;
 * 2. clamp to the org `floor` / `ceiling`; 3. the profile (`profile:<name>`) fixes (`set`) or
 *    bounds (`min`, `max`) the value, winning over floors and ceilings; then the value is clamped
 *    into the bounds of the rule `pod-proxy-resources-range` (`range`, see bounds.ts), so nothing
 *    computed is what the validating webhook denies; 4. an explicit user value (`user`) wins over
 *    all of it, unless `enforceComputed`;
 * 5. limits (`cpuLimit`, `memoryLimit`): `ratio` × the app's effective limit, or, when the app has
 *    no limit, `factor` × the final request; then steps 2–4 the same way;
 * 6. a limit is never below its request: a computed limit is raised to the request (`request`); a
 *    user limit below a computed request lowers the request to exactly that limit (`limit`); two
 *    user values with the limit below the request are the user's error (the mutator denies them).
 */
import { SIDECAR_KEYS, type SidecarConfig, type SidecarKey, type SidecarProfile } from './config.js';
import type { SidecarBounds } from './bounds.js';
import type { AppResources } from './pod-resources.js';
import { ceilDiv, parseCpuMillis, parseMemoryBytes, roundUpToMebi } from './quantity.js';

/** Inputs of one sizing. */
export interface SizingInput {
  readonly app: AppResources;
  readonly config: SidecarConfig;
  /** The selected profile, if any. */
  readonly profile?: { readonly name: string; readonly spec: SidecarProfile };
  /** Values the user set explicitly (parsed). */
  readonly user: Partial<Record<SidecarKey, bigint>>;
  /** Requests observed from traffic (`sizing.source: prometheus`): they replace step 1 and limits follow step 5's `factor`. */
  readonly observed?: { readonly cpu: bigint; readonly memory: bigint };
  /** The range rule's bounds; computed values are clamped into them. */
  readonly bounds?: SidecarBounds;
}

/** The four values (millicores, bytes) and the rule that produced each. */
export interface SizingResult {
  readonly values: Record<SidecarKey, bigint>;
  readonly rules: Record<SidecarKey, string>;
  /** Remarks worth a note (e.g. user limit below user request). */
  readonly remarks: string[];
}

const RATIO_SCALE = 1_000_000n;

/** Parses a config quantity for a key: millicores for cpu keys, bytes for memory keys. */
export function amountFor(key: SidecarKey, text: string): bigint {
  return key.startsWith('cpu') ? parseCpuMillis(text) : parseMemoryBytes(text);
}

function scale(key: SidecarKey, value: bigint, ratio: number): bigint {
  const scaled = ceilDiv(value * BigInt(Math.round(ratio * Number(RATIO_SCALE))), RATIO_SCALE);
  return key.startsWith('memory') ? roundUpToMebi(scaled) : scaled;
}

interface Step {
  value: bigint;
  rule: string;
}

function bound(key: SidecarKey, step: Step, input: SizingInput): Step {
  const { floors, ceilings } = input.config;
  let { value, rule } = step;
  const floor = amountFor(key, floors[key]);
  const ceiling = amountFor(key, ceilings[key]);
  if (value < floor) [value, rule] = [floor, 'floor'];
  if (value > ceiling) [value, rule] = [ceiling, 'ceiling'];
  const p = input.profile;
  if (p) {
    const tag = `profile:${p.name}`;
    const set = p.spec.set?.[key];
    const min = p.spec.min?.[key];
    const maxV = p.spec.max?.[key];
    if (set !== undefined) [value, rule] = [amountFor(key, set), tag];
    if (min !== undefined && value < amountFor(key, min)) [value, rule] = [amountFor(key, min), tag];
    if (maxV !== undefined && value > amountFor(key, maxV)) [value, rule] = [amountFor(key, maxV), tag];
  }
  const range = input.bounds?.[key.startsWith('cpu') ? 'cpu' : 'memory'];
  if (range && value < range.min) [value, rule] = [range.min, 'range'];
  if (range && value > range.max) [value, rule] = [range.max, 'range'];
  const user = input.user[key];
  if (user !== undefined && !input.config.enforceComputed) [value, rule] = [user, 'user'];
  return { value, rule };
}

function request(key: 'cpu' | 'memory', input: SizingInput): Step {
  if (input.observed) return bound(key, { value: input.observed[key], rule: 'observed' }, input);
  const app = input.app[key];
  if (app > 0n) return bound(key, { value: scale(key, app, input.config.ratios[key]), rule: 'ratio' }, input);
  return bound(key, { value: amountFor(key, input.config.base[key]), rule: 'base' }, input);
}

function limit(key: 'cpuLimit' | 'memoryLimit', resource: 'cpu' | 'memory', req: Step, input: SizingInput): Step {
  const app = input.app[key];
  if (!input.observed && app !== undefined && app > 0n) return bound(key, { value: scale(key, app, input.config.ratios[key]), rule: 'ratio' }, input);
  return bound(key, { value: scale(key, req.value, input.config.limitFactors[resource]), rule: 'factor' }, input);
}

function reconcile(req: Step, lim: Step, resource: string, remarks: string[]): void {
  if (lim.value >= req.value) return;
  if (lim.rule !== 'user') [lim.value, lim.rule] = [req.value, 'request'];
  else if (req.rule !== 'user') [req.value, req.rule] = [lim.value, 'limit'];
  else remarks.push(`user-set ${resource} limit is below the user-set request; kept as set`);
}

/** Computes the four sidecar values (see the module comment for the rules). */
export function computeSizing(input: SizingInput): SizingResult {
  const remarks: string[] = [];
  const cpu = request('cpu', input);
  const memory = request('memory', input);
  const cpuLimit = limit('cpuLimit', 'cpu', cpu, input);
  const memoryLimit = limit('memoryLimit', 'memory', memory, input);
  reconcile(cpu, cpuLimit, 'cpu', remarks);
  reconcile(memory, memoryLimit, 'memory', remarks);
  const steps: Record<SidecarKey, Step> = { cpu, cpuLimit, memory, memoryLimit };
  const values = {} as Record<SidecarKey, bigint>;
  const rules = {} as Record<SidecarKey, string>;
  for (const key of SIDECAR_KEYS) {
    values[key] = steps[key].value;
    rules[key] = steps[key].rule;
  }
  return { values, rules, remarks };
}
