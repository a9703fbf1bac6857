import { z } from 'zod';
import { linearRegexProblem } from './linear-regex';
import { jsonValueSchema } from '../../contract/json';
import { JsonPathSyntaxError, parseJsonPath, type JsonPathStep } from './jsonpath';
import type { ProbeActivity, Tolerance } from './types';

const target = z.string().min(1).optional();
// chaostoolkit's check_range: two numbers, in any order ([10, 1] is valid and never met).
const bounds = z.tuple([z.number(), z.number()], { error: 'expected [lo, hi]: two numbers' });

function rangeTolerance() {
  return z.strictObject({ type: z.literal('range'), range: bounds, target }).transform((t): Tolerance => ({
    kind: 'range',
    lo: t.range[0],
    hi: t.range[1],
    ...(t.target === undefined ? {} : { target: t.target }),
  }));
}

function regexTolerance() {
  return z.strictObject({ type: z.literal('regex'), pattern: z.string(), target }).transform((t, ctx): Tolerance => {
    const problem = linearRegexProblem(t.pattern);
    if (problem !== null) {
      ctx.issues.push({ code: 'custom', path: ['pattern'], input: t.pattern, message: `expected a valid regular expression (${problem})` });
      return z.NEVER;
    }
    return { kind: 'regex', pattern: t.pattern, ...(t.target === undefined ? {} : { target: t.target }) };
  });
}

function jsonPathTolerance() {
  return z
    .strictObject({
      type: z.literal('jsonpath'),
      path: z.string().refine((p) => p.trim() !== '', 'expected a JSONPath such as $.status (chaostoolkit refuses an empty one)'),
      expect: jsonValueSchema.optional(),
      count: z.number().int().min(0).optional(),
      target,
    })
    .transform((t, ctx): Tolerance => {
      let steps: JsonPathStep[];
      try {
        steps = parseJsonPath(t.path);
      } catch (error) {
        if (!(error instanceof JsonPathSyntaxError)) throw error;
        ctx.issues.push({
          code: 'custom',
          path: ['path'],
          input: t.path,
          message: `expected a JSONPath ($.a.b[0], $..b, $.a[*][?(@.b = 1)]): ${error.message}`,
        });
        return z.NEVER;
      }
      return {
        kind: 'jsonpath',
        path: t.path,
        steps,
        ...(t.expect === undefined ? {} : { expect: t.expect }),
        ...(t.count === undefined ? {} : { count: t.count }),
        ...(t.target === undefined ? {} : { target: t.target }),
      };
    });
}

/** Any list, as chaostoolkit (an empty one is valid and never met). */
function listTolerance() {
  return z.array(jsonValueSchema).transform((values): Tolerance => {
    const [lo, hi] = values;
    if (values.length === 2 && typeof lo === 'number' && typeof hi === 'number') return { kind: 'bounds', lo, hi };
    return { kind: 'one-of', values };
  });
}

const TOLERANCE_FORMS =
  'expected a tolerance: true/false, an integer, a string, a list, or {type: range|regex|jsonpath|probe} (chaostoolkit refuses other numbers, such as 0.5; use {type: range, range: [lo, hi]})';

/**
 * Every tolerance form. `probeSchema` is the probe activity schema (a probe may judge another
 * probe's value); it is passed in because it depends on the providers.
 */
export function toleranceSchema(probeSchema: z.ZodType<ProbeActivity> & z.core.$ZodTypeDiscriminable) {
  const probeTolerance = probeSchema.transform((probe): Tolerance => ({ kind: 'probe', probe }));
  const objectForms = z.discriminatedUnion('type', [rangeTolerance(), regexTolerance(), jsonPathTolerance(), probeTolerance]);
  return z.union(
    [
      z.boolean().transform((value): Tolerance => ({ kind: 'exact', value })),
      // chaostoolkit's ensure_hypothesis_tolerance_is_valid: an int, not a float.
      z
        .number()
        .int()
        .transform((value): Tolerance => ({ kind: 'exact', value })),
      z.string().transform((value): Tolerance => ({ kind: 'exact', value })),
      listTolerance(),
      objectForms,
    ],
    { error: TOLERANCE_FORMS },
  );
}
