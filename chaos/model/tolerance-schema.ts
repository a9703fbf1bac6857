import { z } from 'zod';
import { linearRegexProblem } from './linear-regex';
import { jsonValueSchema, type JsonPrimitive } from '../../contract/json';
import { JsonPathSyntaxError, parseJsonPath, type JsonPathStep } from './jsonpath';
import type { ProbeActivity, Tolerance } from './types';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const target = z.string().min(1).optional();
const bounds = z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo <= hi, 'expected [lo, hi] with lo <= hi');

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
      path: z.string().min(1),
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
          message: `expected a JSONPath of the supported subset ($.a.b[0], $.a[*].b): ${error.message}`,
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

function listTolerance() {
  return z
    .array(scalar)
    .min(1, 'expected at least one allowed value')
    .transform((values): Tolerance => {
      const [lo, hi] = values;
      if (values.length === 2 && typeof lo === 'number' && typeof hi === 'number') return { kind: 'bounds', lo, hi };
      const allowed: JsonPrimitive[] = values;
      return { kind: 'one-of', values: allowed };
    });
}

const TOLERANCE_FORMS = 'expected a tolerance: true/false, a number, a string, a list, or {type: range|regex|jsonpath|probe}';

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
      z.number().transform((value): Tolerance => ({ kind: 'exact', value })),
      z.string().transform((value): Tolerance => ({ kind: 'exact', value })),
      listTolerance(),
      objectForms,
    ],
    { error: TOLERANCE_FORMS },
  );
}
