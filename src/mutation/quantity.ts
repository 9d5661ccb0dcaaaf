/**
 * Kubernetes resource quantities (`resource.Quantity`), parsed exactly and with bounded work.
 *
 * Grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go, `ParseQuantity`):
 * ```
 * <quantity>        ::= <sign>? <digits>? ( "." <digits>? )? <suffix>
 * <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
 * <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
 * <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
 * <decimalExponent> ::= "e" <signedInteger> | "E" <signedInteger>   (the exponent fits an int64)
 * ```
 * Like Kubernetes, "Ki", "+", "." and "e5" read as zero, and the empty string is rejected.
 * Values are a BigInt count of nano-units, rounded away from zero to the nearest nano as
 * Kubernetes does ("if you want some resources, you should get some"). Values beyond
 * {@link MAX_QUANTITY_NANOS} (2^63-1 base units, the largest Kubernetes keeps in an int64) are
 * rejected as too large instead of being capped, and exponents are read as written (Kubernetes
 * wraps them to 32 bits), so `1e1000` is too large and `1e-1000` is one nano-unit. The work is
 * bounded by the length of the text, never by the magnitude of the number.
 *
 * The Rego rules read quantities the same way (policies/lib/quantity.rego); the table
 * policies/lib/testdata/quantities.json holds the cases both must agree on.
 */
import { ErrorCodes, MeshguardError } from '../errors.js';
import { BoundedMemo } from './memo.js';

/** The notation a quantity was written in, as Kubernetes names it. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A parsed quantity: its exact value in nano-units (1e-9) and the notation it was written in. */
export interface Quantity {
  /** Value × 10^9, rounded away from zero to an integer. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

/** Why a value is not accepted as a quantity. */
export type QuantityError = 'syntax' | 'too large' | 'not a quantity';

/** Largest accepted magnitude in nano-units: (2^63 - 1) base units. */
export const MAX_QUANTITY_NANOS = ((1n << 63n) - 1n) * 1_000_000_000n;

const MAX_DIGITS = MAX_QUANTITY_NANOS.toString().length;
/** Exponents are clamped here: beyond it every non-zero value is too large (or below a nano). */
const EXPONENT_CLAMP = 9_999_999;
const INT64_MAX = (1n << 63n) - 1n;

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
// Kubernetes' grammar, written so that no digit can belong to two parts: a suffix starts with a
// letter or a sign, which keeps the match linear in the length of the text.
const GRAMMAR = /^([+-]?)([0-9]*)(?:\.([0-9]*))?((?:[eEinumkKMGTP]+[+-]?|[+-])[0-9]*)?$/;
const EXPONENT_RE = /^[eE]([+-]?)([0-9]+)$/;

const NANO_SCALE = 9;
const MEBI = 1n << 20n;
const GIBI_IN_MEBI = 1024n;

const REASONS: Record<QuantityError, string> = {
  syntax: 'not a Kubernetes quantity',
  'too large': 'too large (above 9223372036854775807)',
  'not a quantity': 'not a string or number',
};

/** A value as messages show it: quoted, long ones cut (a quantity that long is wrong whatever it says). */
export function shownValue(text: string): string {
  return JSON.stringify(text.length <= 64 ? text : `${text.slice(0, 32)}... (${text.length} characters)`);
}

/** Thrown for a value that is not an accepted quantity; `reason` says which kind of problem. */
export class QuantityInvalid extends MeshguardError {
  constructor(readonly text: string, readonly reason: QuantityError) {
    super(ErrorCodes.QUANTITY_INVALID, `invalid quantity ${shownValue(text)}: ${REASONS[reason]}`, { statusCode: 400 });
  }
}

interface Scale {
  format: QuantityFormat;
  exp10: number;
  exp2: number;
}

function scaleOf(suffix: string): Scale | undefined {
  const dec = DECIMAL_SUFFIXES[suffix];
  if (dec !== undefined) return { format: 'DecimalSI', exp10: dec, exp2: 0 };
  const bin = BINARY_SUFFIXES[suffix];
  if (bin !== undefined) return { format: 'BinarySI', exp10: 0, exp2: bin };
  const exp = EXPONENT_RE.exec(suffix);
  if (!exp) return undefined;
  const [, sign = '', raw = ''] = exp;
  const digits = trimZeros(raw, 'leading');
  const magnitude = BigInt(digits || '0');
  if (magnitude > (sign === '-' ? INT64_MAX + 1n : INT64_MAX)) return undefined;
  const clamped = magnitude > BigInt(EXPONENT_CLAMP) ? EXPONENT_CLAMP : Number(magnitude);
  return { format: 'DecimalExponent', exp10: sign === '-' ? -clamped : clamped, exp2: 0 };
}

/** Nano-units of digits × 10^shift (digits non-zero, no leading zeros), rounded up; undefined when too large. */
function finish(digits: string, shift: number): bigint | undefined {
  const whole = digits.length + shift;
  if (whole > MAX_DIGITS) return undefined;
  let nanos: bigint;
  if (shift >= 0) nanos = BigInt(digits) * 10n ** BigInt(shift);
  else if (whole <= 0) nanos = 1n;
  else nanos = BigInt(digits.slice(0, whole)) + (/[1-9]/.test(digits.slice(whole)) ? 1n : 0n);
  return nanos > MAX_QUANTITY_NANOS ? undefined : nanos;
}

/** Fraction digits kept of a binary-suffix value (9 + 60): enough for exact rounding, see quantity.rego. */
const KEPT_FRACTION = 69;

function magnitude(whole: string, fraction: string, scale: Scale): bigint | undefined {
  if (whole === '' && fraction === '') return 0n;
  if (scale.exp2 === 0) {
    return finish(trimZeros(`${whole}${fraction}`, 'leading'), scale.exp10 + NANO_SCALE - fraction.length);
  }
  if (whole.length > 19) return undefined;
  const kept = fraction.length > KEPT_FRACTION ? `${fraction.slice(0, KEPT_FRACTION)}1` : fraction;
  const scaled = (BigInt(`${whole}${kept}`) << BigInt(scale.exp2)).toString();
  return finish(scaled, NANO_SCALE - kept.length);
}

/** Digits without leading or trailing zeros (a loop: a regular expression here can take quadratic time). */
function trimZeros(digits: string, end: 'leading' | 'trailing'): string {
  let from = 0;
  let to = digits.length;
  if (end === 'leading') while (from < to && digits[from] === '0') from++;
  else while (to > from && digits[to - 1] === '0') to--;
  return digits.slice(from, to);
}

function textOf(value: unknown): string | QuantityError {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && !Number.isNaN(value)) return Number.isFinite(value) ? String(value) : 'too large';
  return 'not a quantity';
}

/** Quantities read before (every sidecar sizing reads the same config values and container resources). */
const parsed = new BoundedMemo<Readonly<Quantity | { error: QuantityError }>>(1024, 64);

/**
 * Reads a Kubernetes quantity such as `250m`, `1.5Gi`, `1e3`, `.5`, `-2k` (or a finite number, as
 * its decimal text) into its exact value, or says why it is not accepted.
 */
export function readQuantity(value: unknown): Quantity | { error: QuantityError } {
  const text = textOf(value);
  if (text === 'too large' || text === 'not a quantity') return { error: text };
  return parsed.get(text, readText);
}

function readText(text: string): Readonly<Quantity | { error: QuantityError }> {
  const m = text === '' ? null : GRAMMAR.exec(text);
  const scale = m ? scaleOf(m[4] ?? '') : undefined;
  if (!m || !scale) return Object.freeze({ error: 'syntax' });
  const nanos = magnitude(trimZeros(m[2] ?? '', 'leading'), trimZeros(m[3] ?? '', 'trailing'), scale);
  if (nanos === undefined) return Object.freeze({ error: 'too large' });
  return Object.freeze({ nanos: m[1] === '-' ? -nanos : nanos, format: scale.format });
}

/**
 * Parses a Kubernetes quantity (see {@link readQuantity}).
 * @throws QuantityInvalid (MeshguardError QUANTITY_INVALID, status 400) naming the value and why.
 */
export function parseQuantity(value: unknown): Quantity {
  const q = readQuantity(value);
  if ('error' in q) throw new QuantityInvalid(typeof value === 'string' ? value : String(value), q.error);
  return q;
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

/**
 * Formats bytes exactly: as {@link formatMemory} when they are whole mebibytes, else the byte count
 * (`1000000000` for a bound of `1G`), so a value written never exceeds the value computed.
 */
export function formatMemoryExact(bytes: bigint): string {
  return bytes % MEBI === 0n ? formatMemory(bytes) : `${bytes}`;
}

/** Rounds bytes up to a whole number of mebibytes (the granularity meshguard writes). */
export function roundUpToMebi(bytes: bigint): bigint {
  return ceilDiv(bytes, MEBI) * MEBI;
}
