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

const INTEGER = new RegExp(String.raw`^[+-]?${DIGITS}$`);

/** Python's `int(text)` (surrounding whitespace, a sign and single underscores allowed), or null where it raises. */
export function pyIntText(text: string): number | null {
  const trimmed = text.trim();
  return INTEGER.test(trimmed) ? Number(trimmed.replace(/_/g, '')) : null;
}

/** Python's `float(text)`, or null where it raises (`"nan"` is NaN, `"inf"` Infinity). */
export function pyFloatText(text: string): number | null {
  const trimmed = text.trim();
  if (/^[+-]?nan$/i.test(trimmed)) return Number.NaN;
  return pyDecimal(trimmed);
}

/**
 * Which numbers of a value are Python floats, by the path inside the value (`JSON.stringify` of
 * the path): JSON cannot tell `200.0` from `200`, Python can (`str(200.0)` is `"200.0"`).
 */
export type FloatPaths = ReadonlySet<string>;

export const NO_FLOATS: FloatPaths = new Set();

export const pathKey = (path: readonly (string | number)[]): string => JSON.stringify(path);

/** The float paths under `prefix`, relative to it. */
export function floatsUnder(floats: FloatPaths, prefix: readonly (string | number)[]): FloatPaths {
  const head = pathKey(prefix).slice(0, -1);
  const out = new Set<string>();
  for (const key of floats) {
    if (key === `${head}]`) out.add('[]');
    else if (key.startsWith(`${head},`)) out.add(`[${key.slice(head.length + 1)}`);
  }
  return out;
}

/** Python's `repr(float)`: the shortest digits that read back, fixed from 1e-4 up to 1e16, else `1e+20`. */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa = '', exp = '0'] = n.toExponential().split('e');
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const e = Number(exp);
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0] ?? ''}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  const fraction = digits.slice(e + 1);
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
}

/** Python's `repr(str)`: single quotes unless the text holds one and no double quote. */
function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of the value as `json.loads` would give it (floats named by `floats`). */
export function pyRepr(value: JsonValue, floats: FloatPaths = NO_FLOATS, path: (string | number)[] = []): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (floats.has(pathKey(path)) || !Number.isInteger(value)) return pyFloatRepr(value);
    return BigInt(value).toString();
  }
  if (typeof value === 'string') return pyStrRepr(value);
  if (Array.isArray(value)) return `[${value.map((item, i) => pyRepr(item, floats, [...path, i])).join(', ')}]`;
  const entries = Object.entries(value).map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v, floats, [...path, k])}`);
  return `{${entries.join(', ')}}`;
}

/** Python's `str()`: a string as is, anything else as `repr()` (`True`, `None`, `1.0`, `['a', 1]`). */
export function pyStr(value: JsonValue, floats: FloatPaths = NO_FLOATS): string {
  return typeof value === 'string' ? value : pyRepr(value, floats);
}
