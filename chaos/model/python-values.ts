import { isJsonObject, type JsonValue } from '../../contract/json';

/**
 * Python's `==`, `<=` and `Decimal(...)` on JSON values: chaostoolkit judges tolerances with them,
 * so `True == 1`, `"a" <= "m" <= "z"` and `Decimal("0x10")` (an error: not a number) hold here too.
 */

/** A number, or a boolean as Python's int (True is 1); null for anything else. */
export function pyNumber(value: JsonValue): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

/** Python's `a == b` (booleans are the integers 0 and 1). */
export function pyEqual(a: JsonValue, b: JsonValue): boolean {
  const [x, y] = [pyNumber(a), pyNumber(b)];
  if (x !== null || y !== null) return x === y;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => pyEqual(v, b[i] ?? null));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && pyEqual(a[k] ?? null, b[k] ?? null));
  }
  return a === b;
}

/** Python's `a <= b`, or null where Python raises TypeError (a number against a string…). */
export function pyLessOrEqual(a: JsonValue, b: JsonValue): boolean | null {
  const [x, y] = [pyNumber(a), pyNumber(b)];
  if (x !== null && y !== null) return x <= y;
  if (typeof a === 'string' && typeof b === 'string') return comparePoints(a, b) <= 0;
  return null;
}

/** Compares by code point, as Python does (JavaScript's `<` compares UTF-16 units). */
function comparePoints(a: string, b: string): number {
  const [pa, pb] = [Array.from(a), Array.from(b)];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const d = (pa[i]?.codePointAt(0) ?? 0) - (pb[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return pa.length - pb.length;
}

// Python's decimal string syntax: digits with optional single underscores between them.
const DIGITS = String.raw`\d(?:_?\d)*`;
const DECIMAL = new RegExp(String.raw`^[+-]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`);
const INFINITY = /^[+-]?(?:inf|infinity)$/i;

/**
 * `Decimal(value)` as a number, or null where Python raises (so chaostoolkit's range check says
 * "not within"): numbers and booleans, and strings in decimal notation, surrounding whitespace
 * allowed. Not `"0x10"`, `""`, `"1,5"`; `"NaN"` compares with nothing.
 */
export function pyDecimal(value: JsonValue): number | null {
  const n = pyNumber(value);
  if (n !== null) return n;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (DECIMAL.test(text)) return Number(text.replace(/_/g, ''));
  if (INFINITY.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return null;
}
