import type { JsonValue } from '../../contract/json';
import { pyDecimal } from '../model/python-values';

/**
 * Python's `Decimal`, exactly, for chaostoolkit's range check (`Decimal(lo) <= Decimal(value) <=
 * Decimal(hi)`): a finite decimal is `coefficient × 10^exponent` with a BigInt coefficient, so
 * `"9007199254740993"` stays itself (a JavaScript number would round it to 2^53), and a number
 * is its double's exact value (Python's `Decimal(0.1)` is 0.1000000000000000055511151231257827…).
 */
export type ExactDecimal =
  | { readonly kind: 'finite'; readonly coefficient: bigint; readonly exponent: number }
  | { readonly kind: 'infinity'; readonly negative: boolean };

/** The exact value of a double (every finite double is a finite decimal: m × 2^e = m × 5^-e × 10^e). */
export function decimalOfNumber(n: number): ExactDecimal {
  if (!Number.isFinite(n)) return { kind: 'infinity', negative: n < 0 };
  if (Number.isInteger(n)) return { kind: 'finite', coefficient: BigInt(n), exponent: 0 };
  // Scale by 2 until integral: at most 1074 steps, each exact in binary floating point.
  let mantissa = n;
  let twos = 0;
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2;
    twos += 1;
  }
  return { kind: 'finite', coefficient: BigInt(mantissa) * 5n ** BigInt(twos), exponent: -twos };
}

/** Python's Decimal string syntax (whitespace around, `_` between digits); null where it raises or for NaN. */
export function decimalOfText(text: string): ExactDecimal | null {
  // pyDecimal decides what Python accepts; the digits are then read here without rounding.
  if (pyDecimal(text) === null) return null;
  const t = text.trim().replace(/_/g, '');
  if (/^[+-]?inf(?:inity)?$/i.test(t)) return { kind: 'infinity', negative: t.startsWith('-') };
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!m) return null;
  const whole = m[2] ?? '';
  const fraction = m[3] ?? '';
  const digits = `${whole}${fraction}` || '0';
  const exponent = Number(m[4] ?? '0') - fraction.length;
  if (!Number.isSafeInteger(exponent)) return null;
  const coefficient = BigInt(digits);
  return { kind: 'finite', coefficient: m[1] === '-' ? -coefficient : coefficient, exponent };
}

/** `Decimal(value)` for a probe's value: numbers and booleans, or a decimal string; null where Python raises. */
export function exactDecimal(value: JsonValue): ExactDecimal | null {
  if (typeof value === 'boolean') return { kind: 'finite', coefficient: value ? 1n : 0n, exponent: 0 };
  if (typeof value === 'number') return decimalOfNumber(value);
  if (typeof value === 'string') return decimalOfText(value);
  return null;
}

function sign(c: bigint): number {
  return c === 0n ? 0 : c < 0n ? -1 : 1;
}

/** -1, 0 or 1 as Python compares two Decimals. */
export function compareDecimal(a: ExactDecimal, b: ExactDecimal): number {
  const rank = (d: ExactDecimal): number => (d.kind === 'infinity' ? (d.negative ? -1 : 1) : 0);
  if (a.kind === 'infinity' || b.kind === 'infinity') return Math.sign(rank(a) - rank(b));
  const sa = sign(a.coefficient);
  const sb = sign(b.coefficient);
  if (sa !== sb || sa === 0) return Math.sign(sa - sb);
  // Same sign, both non-zero: first by magnitude (digit count + exponent), so exponents far apart
  // never build a huge power of ten.
  const size = (d: { coefficient: bigint; exponent: number }): number =>
    (d.coefficient < 0n ? -d.coefficient : d.coefficient).toString().length + d.exponent;
  const za = size(a);
  const zb = size(b);
  if (za !== zb) return za > zb ? sa : -sa;
  const low = Math.min(a.exponent, b.exponent);
  const x = a.coefficient * 10n ** BigInt(a.exponent - low);
  const y = b.coefficient * 10n ** BigInt(b.exponent - low);
  return x === y ? 0 : x > y ? 1 : -1;
}
