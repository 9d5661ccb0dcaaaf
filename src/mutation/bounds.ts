/**
 * The outer bounds of the four sidecar values: the params of the validating rule
 * `pod-proxy-resources-range` (`cpuMin`/`cpuMax` for proxyCPU and proxyCPULimit,
 * `memoryMin`/`memoryMax` for proxyMemory and proxyMemoryLimit), read from the same org config
 * the rule reads. `config/org-config.yaml` is the one place they are set: the mutator clamps every
 * value it computes into them (after floors, ceilings and profiles), so what it writes is never
 * what the rule denies. Values the user writes are kept as written and judged by the rule.
 */
import { ErrorCodes, MeshguardError, describeError } from '../errors.js';
import { isRecord } from '../inventory/objects.js';
import { ceilDiv, parseQuantity } from './quantity.js';

/** The rule whose params bound the sidecar values. */
export const RANGE_RULE_ID = 'pod-proxy-resources-range';

/** Inclusive bounds in millicores (cpu) and bytes (memory). */
export interface SidecarBounds {
  readonly cpu: { readonly min: bigint; readonly max: bigint };
  readonly memory: { readonly min: bigint; readonly max: bigint };
}

function floorDiv(num: bigint, den: bigint): bigint {
  return -ceilDiv(-num, den);
}

function param(params: Record<string, unknown>, key: string): bigint {
  if (params[key] === undefined) throw new MeshguardError(ErrorCodes.ORG_CONFIG_INVALID, `org config rules.${RANGE_RULE_ID}.params.${key} is not set`);
  try {
    return parseQuantity(params[key]).nanos;
  } catch (err) {
    throw new MeshguardError(ErrorCodes.ORG_CONFIG_INVALID, `org config rules.${RANGE_RULE_ID}.params.${key}: ${describeError(err)}`);
  }
}

/**
 * Reads the bounds from an org config's `rules` section (already merged over
 * config/org-config.yaml, which sets all four). Minimums round up and maximums round down to whole
 * millicores and bytes, so a value inside the rounded bounds is inside the rule's.
 * @throws MeshguardError ORG_CONFIG_INVALID naming a param that is missing or not a quantity.
 */
export function sidecarBounds(rules: unknown): SidecarBounds {
  const rule = isRecord(rules) ? rules[RANGE_RULE_ID] : undefined;
  const params = isRecord(rule) && isRecord(rule.params) ? rule.params : {};
  return {
    cpu: { min: ceilDiv(param(params, 'cpuMin'), 1_000_000n), max: floorDiv(param(params, 'cpuMax'), 1_000_000n) },
    memory: { min: ceilDiv(param(params, 'memoryMin'), 1_000_000_000n), max: floorDiv(param(params, 'memoryMax'), 1_000_000_000n) },
  };
}
