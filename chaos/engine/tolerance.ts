import { isJsonObject, isJsonValue, type JsonValue } from '../../contract/json';
import { queryJsonPath } from '../model/jsonpath';
import { linearRegex } from '../model/linear-regex';
import type { Tolerance } from '../model/types';

/** Tolerances judged without running anything (all but `probe`). */
export type PureTolerance = Exclude<Tolerance, { kind: 'probe' }>;

/** `value.status` when the value is a process or HTTP result; chaostoolkit compares numbers with it. */
function statusOf(value: JsonValue): JsonValue {
  return isJsonObject(value) && value.status !== undefined ? value.status : value;
}

function targetOf(value: JsonValue, target: string | undefined): JsonValue {
  if (target === undefined || !isJsonObject(value)) return value;
  return value[target] ?? value;
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i] ?? null));
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k] ?? null, b[k] ?? null));
  }
  return false;
}

function asNumber(value: JsonValue): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return null;
}

function parsedIfJson(value: JsonValue): JsonValue {
  if (typeof value !== 'string') return value;
  try {
    const parsed: unknown = JSON.parse(value);
    return isJsonValue(parsed) ? parsed : value;
  } catch {
    return value;
  }
}

/**
 * Whether a probe's value is within a tolerance, with chaostoolkit 1.x semantics (chaoslib's
 * `within_tolerance`), so that its experiments judge the same way here.
 */
export function withinTolerance(tolerance: PureTolerance, value: JsonValue): boolean {
  switch (tolerance.kind) {
    case 'exact':
      return typeof tolerance.value === 'number' ? statusOf(value) === tolerance.value : value === tolerance.value;
    case 'bounds': {
      if (isJsonObject(value) && value.status !== undefined) return value.status === tolerance.lo || value.status === tolerance.hi;
      const n = asNumber(value);
      return typeof value === 'number' && n !== null && tolerance.lo <= n && n <= tolerance.hi;
    }
    case 'one-of': {
      const subject = statusOf(value);
      return tolerance.values.some((allowed) => allowed === subject);
    }
    case 'range': {
      const n = asNumber(targetOf(value, tolerance.target));
      return n !== null && tolerance.lo <= n && n <= tolerance.hi;
    }
    case 'regex': {
      const subject = targetOf(value, tolerance.target);
      return typeof subject === 'string' && linearRegex(tolerance.pattern).test(subject);
    }
    case 'jsonpath': {
      const found = queryJsonPath(tolerance.steps, parsedIfJson(targetOf(value, tolerance.target)));
      if (tolerance.expect !== undefined) {
        const expected = Array.isArray(tolerance.expect) ? tolerance.expect : [tolerance.expect];
        return deepEqual(found, expected);
      }
      if (tolerance.count !== undefined) return found.length === tolerance.count;
      return found.length > 0;
    }
  }
}
