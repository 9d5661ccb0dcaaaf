/**
 * Kubernetes resource quantities (`resource.Quantity`), parsed exactly.
 *
 * Grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go):
 * ```
 * <quantity>        ::= <signedNumber><suffix>
 * <signedNumber>    ::= <number> | <sign><number>
 * <sign>            ::= "+" | "-"
 * <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 * <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
 * <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
 * <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
 * <decimalExponent> ::= "e" <signedInteger> | "E" <signedInteger>
 * ```
 * Values are held as a BigInt count of nano-units, rounded away from zero to the nearest nano
 * exactly as Kubernetes does ("if you want some resources, you should get some"). Deviation: an
 * exponent whose magnitude exceeds {@link MAX_EXPONENT} is rejected instead of being capped.
 */
import { ErrorCodes, MeshguardError } from '../errors.js';

/** The notation a quantity was written in, as Kubernetes names it. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A parsed quantity: its exact value in nano-units (1e-9) and the notation it was written in. */
export interface Quantity {
  /** Value × 10^9, rounded away from zero to an integer. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

/** Largest decimal exponent accepted (`1e1000`); larger ones are rejected, not capped. */
export const MAX_EXPONENT = 1000;

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const QUANTITY_RE = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(.*)$/;
const EXPONENT_RE = /^[eE]([+-]?\d+)$/;

const NANO_SCALE = 9;
const MEBI = 1n << 20n;
const GIBI_IN_MEBI = 1024n;

function invalid(text: string, why: string): MeshguardError {
  return new MeshguardError(ErrorCodes.QUANTITY_INVALID, `invalid quantity ${JSON.stringify(text)}: ${why}`, {
    statusCode: 400,
  });
}

interface Suffix {
  format: QuantityFormat;
  exp10: number;
  exp2: number;
}

function parseSuffix(text: string, suffix: string): Suffix {
  const dec = DECIMAL_SUFFIXES[suffix];
  if (dec !== undefined) return { format: 'DecimalSI', exp10: dec, exp2: 0 };
  const bin = BINARY_SUFFIXES[suffix];
  if (bin !== undefined) return { format: 'BinarySI', exp10: 0, exp2: bin };
  const exp = EXPONENT_RE.exec(suffix);
  if (!exp?.[1]) throw invalid(text, `unknown suffix ${JSON.stringify(suffix)}`);
  const exp10 = Number(exp[1]);
  if (Math.abs(exp10) > MAX_EXPONENT) throw invalid(text, `exponent beyond ±${MAX_EXPONENT}`);
  return { format: 'DecimalExponent', exp10, exp2: 0 };
}

/** Integer division rounding away from zero (den > 0). */
function divAwayFromZero(num: bigint, den: bigint): bigint {
  const q = num / den;
  if (q * den === num) return q;
  return num < 0n ? q - 1n : q + 1n;
}

/**
 * Parses a Kubernetes quantity such as `250m`, `1.5Gi`, `1e3`, `.5`, `-2k`.
 * @throws MeshguardError QUANTITY_INVALID naming the value, for anything Kubernetes would reject
 *   (and for non-string input).
 */
export function parseQuantity(text: unknown): Quantity {
  if (typeof text === 'number' && Number.isFinite(text)) return parseQuantity(String(text));
  if (typeof text !== 'string') throw invalid(String(text), 'not a string');
  const m = QUANTITY_RE.exec(text);
  if (!m) throw invalid(text, 'expected a number with an optional suffix');
  const [, sign = '', number = '', suffixText = ''] = m;
  const suffix = parseSuffix(text, suffixText);
  const [whole = '', frac = ''] = number.split('.');
  const digits = BigInt(`${whole}${frac}` || '0');
  const exp10 = suffix.exp10 - frac.length + NANO_SCALE;
  let num = digits << BigInt(suffix.exp2);
  let den = 1n;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den = 10n ** BigInt(-exp10);
  const nanos = divAwayFromZero(sign === '-' ? -num : num, den);
  return { nanos, format: suffix.format };
}

/** Ceiling division for any sign of `num` (den > 0). */
export function ceilDiv(num: bigint, den: bigint): bigint {
  const q = num / den;
  return q * den < num ? q + 1n : q;
}

/** The quantity in millicores (CPU), rounded up. */
export function toMillis(q: Quantity): bigint {
  return ceilDiv(q.nanos, 1_000_000n);
}

/** The quantity in whole units (bytes for memory), rounded up. */
export function toUnits(q: Quantity): bigint {
  return ceilDiv(q.nanos, 1_000_000_000n);
}

/** Parses a CPU quantity into millicores, rounded up. @throws QUANTITY_INVALID */
export function parseCpuMillis(text: unknown): bigint {
  return toMillis(parseQuantity(text));
}

/** Parses a memory quantity into bytes, rounded up. @throws QUANTITY_INVALID */
export function parseMemoryBytes(text: unknown): bigint {
  return toUnits(parseQuantity(text));
}

/**
 * Formats millicores as a normalised CPU quantity: whole cores when divisible (`2`, not `2000m`),
 * millicores otherwise (`250m`, `1500m`).
 */
export function formatCpu(millis: bigint): string {
  if (millis % 1000n === 0n) return `${millis / 1000n}`;
  return `${millis}m`;
}

/**
 * Formats bytes as a normalised memory quantity, rounded up to the next mebibyte: `Gi` when the
 * mebibytes divide by 1024 (`1Gi`), `Mi` otherwise (`192Mi`); zero is `0`.
 */
export function formatMemory(bytes: bigint): string {
  const mebi = ceilDiv(bytes, MEBI);
  if (mebi === 0n) return '0';
  if (mebi % GIBI_IN_MEBI === 0n) return `${mebi / GIBI_IN_MEBI}Gi`;
  return `${mebi}Mi`;
}

/** Rounds bytes up to a whole number of mebibytes (the granularity meshguard writes). */
export function roundUpToMebi(bytes: bigint): bigint {
  return ceilDiv(bytes, MEBI) * MEBI;
}
