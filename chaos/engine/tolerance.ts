import { isJsonObject, isJsonValue, type JsonValue } from '../../contract/json';
import { queryJsonPath } from '../model/jsonpath';
import { linearRegex } from '../model/linear-regex';
import { pyEqual, pyLessOrEqual } from '../model/python-values';
import { compareDecimal, decimalOfNumber, exactDecimal } from './exact-decimal';
import type { Tolerance } from '../model/types';

/** Tolerances judged without running anything (all but `probe`). */
export type PureTolerance = Exclude<Tolerance, { kind: 'probe' }>;

/** `value.status` when the value is a process or HTTP result; chaostoolkit compares numbers with it. */
function statusOf(value: JsonValue): JsonValue {
  return isJsonObject(value) && value.status !== undefined ? value.status : value;
}

function targetOf(value: JsonValue, target: string | undefined): JsonValue {
  if (target === undefined || !isJsonObject(value)) return value;
  return Object.hasOwn(value, target) ? (value[target] ?? null) : value;
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
      // A bool or string tolerance compares the value itself; an int compares a result's status.
      return pyEqual(typeof tolerance.value === 'number' ? statusOf(value) : value, tolerance.value);
    case 'bounds':
    case 'one-of': {
      const values = tolerance.kind === 'bounds' ? [tolerance.lo, tolerance.hi] : tolerance.values;
      if (isJsonObject(value) && value.status !== undefined) return values.some((v) => pyEqual(v, value.status ?? null));
      const [lo, hi] = values;
      if (values.length === 2 && lo !== undefined && hi !== undefined) {
        return pyLessOrEqual(lo, value) === true && pyLessOrEqual(value, hi) === true;
      }
      return values.some((v) => pyEqual(v, value));
    }
    case 'range': {
      // Decimal(lo) <= Decimal(value) <= Decimal(hi), exactly (no rounding to a double on the way).
      const n = exactDecimal(targetOf(value, tolerance.target));
      return n !== null && compareDecimal(decimalOfNumber(tolerance.lo), n) <= 0 && compareDecimal(n, decimalOfNumber(tolerance.hi)) <= 0;
    }
    case 'regex': {
      const subject = targetOf(value, tolerance.target);
      return typeof subject === 'string' && linearRegex(tolerance.pattern).test(subject);
    }
    case 'jsonpath': {
      const found = queryJsonPath(tolerance.steps, parsedIfJson(targetOf(value, tolerance.target)));
      // chaostoolkit: at least one match; `count` overrides that, and `expect` overrides both.
      if (tolerance.expect !== undefined) return pyEqual(found, Array.isArray(tolerance.expect) ? tolerance.expect : [tolerance.expect]);
      if (tolerance.count !== undefined) return found.length === tolerance.count;
      return found.length > 0;
    }
  }
}
