import { z } from 'zod';
import type { FaultCatalog } from '../faults/define-fault';
import { describeIssue } from './describe-issue';
import { jsonObjectSchema, jsonValueSchema } from '../../contract/json';
import { ShellWordsError, splitShellWords } from './shell-words';
import type { FaultProvider, HttpProvider, ProcessProvider } from './types';

/**
 * Timers cannot count beyond 2^31 - 1 ms (about 24.8 days; a longer one fires at once), so a timeout
 * is at most a day: enough for any activity, and never misread as "now".
 */
export const MAX_TIMEOUT_SECONDS = 86_400;
const positiveSeconds = z.number().positive().max(MAX_TIMEOUT_SECONDS);

/** A provider's `timeout`: how long the activity may run before it is stopped and fails. */
export const activityTimeoutSchema = positiveSeconds.describe(
  "Seconds before the activity is stopped and fails (default: the experiment's activity-timeout, else 60)",
);
const argumentScalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

function processProvider() {
  return z
    .strictObject({
      type: z.literal('process'),
      path: z.string().min(1),
      arguments: z.union([z.array(argumentScalar), z.string(), z.record(z.string(), argumentScalar)]).optional(),
      timeout: activityTimeoutSchema.optional(),
      secrets: z.array(z.string()).optional(),
    })
    .transform((p, ctx): ProcessProvider => {
      let args: string[] = [];
      if (typeof p.arguments === 'string') {
        try {
          args = splitShellWords(p.arguments);
        } catch (error) {
          if (!(error instanceof ShellWordsError)) throw error;
          ctx.issues.push({ code: 'custom', path: ['arguments'], input: p.arguments, message: `the argument string ${error.message}` });
          return z.NEVER;
        }
      } else if (Array.isArray(p.arguments)) {
        // As chaostoolkit: null and empty entries are dropped, the rest stringified.
        args = p.arguments.filter((a) => a !== null && a !== '').map(String);
      } else if (p.arguments !== undefined) {
        args = Object.entries(p.arguments)
          .flatMap(([k, v]) => [k, v])
          .filter((a) => a !== null && a !== '')
          .map(String);
      }
      return { type: 'process', path: p.path, arguments: args, ...(p.timeout === undefined ? {} : { timeout: p.timeout }) };
    });
}

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

function httpProvider() {
  return z
    .strictObject({
      type: z.literal('http'),
      url: z.string().min(1),
      method: z
        .string()
        .transform((m) => m.toUpperCase())
        .pipe(z.enum(HTTP_METHODS))
        .default('GET'),
      headers: z.record(z.string(), z.string()).default({}),
      body: jsonValueSchema.optional(),
      arguments: jsonObjectSchema.optional(),
      timeout: z.union([positiveSeconds, z.tuple([positiveSeconds, positiveSeconds])]).optional(),
      expected_status: z.number().int().min(100).max(599).optional(),
      max_retries: z.number().int().min(0).max(10).optional(),
      verify_tls: z.boolean().default(true),
      secrets: z.array(z.string()).optional(),
    })
    .transform((p, ctx): HttpProvider => {
      let url: URL;
      try {
        url = new URL(p.url);
      } catch {
        ctx.issues.push({
          code: 'custom',
          path: ['url'],
          input: p.url,
          message: `expected an absolute http(s) URL, got ${JSON.stringify(p.url)}`,
        });
        return z.NEVER;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        ctx.issues.push({ code: 'custom', path: ['url'], input: p.url, message: `expected an http or https URL, got ${url.protocol}` });
        return z.NEVER;
      }
      return {
        type: 'http',
        url: p.url,
        method: p.method,
        headers: p.headers,
        verifyTls: p.verify_tls,
        ...(p.body === undefined ? {} : { body: p.body }),
        ...(p.arguments === undefined ? {} : { arguments: p.arguments }),
        ...(p.timeout === undefined ? {} : { timeout: p.timeout }),
        ...(p.expected_status === undefined ? {} : { expectedStatus: p.expected_status }),
        ...(p.max_retries === undefined ? {} : { maxRetries: p.max_retries }),
      };
    });
}

/** Marks the refused Python provider, which the JSON Schema export turns into "not allowed". */
export const PYTHON_PROVIDER_TITLE = 'Python provider (not supported)';

/** chaostoolkit's Python provider needs a Python runtime and its extensions; refused by name. */
function pythonProvider() {
  return z
    .looseObject({ type: z.literal('python') })
    .meta({ title: PYTHON_PROVIDER_TITLE })
    .transform((_p, ctx) => {
      ctx.issues.push({
        code: 'custom',
        path: ['type'],
        input: 'python',
        message: "python providers are not supported (they need chaostoolkit's Python runtime); use a process, http or fault provider",
      });
      return z.NEVER;
    });
}

/** Marks the fault provider's node so the JSON Schema export can spell it out per fault id. */
export const FAULT_PROVIDER_TITLE = 'Fault provider';

/** Our driver modules: `{type: fault, id, arguments}`, the arguments checked by the module's schema. */
function faultProvider(catalog: FaultCatalog) {
  return z
    .strictObject({
      type: z.literal('fault'),
      id: z.string().min(1),
      arguments: jsonObjectSchema.default({}),
      timeout: activityTimeoutSchema.optional(),
    })
    .meta({ title: FAULT_PROVIDER_TITLE })
    .transform((p, ctx): FaultProvider => {
      const fault = catalog.get(p.id);
      if (fault === undefined) {
        ctx.issues.push({
          code: 'custom',
          path: ['id'],
          input: p.id,
          message: `unknown fault "${p.id}" (known: ${[...catalog.keys()].join(', ')}; see \`chaos list\`)`,
        });
        return z.NEVER;
      }
      const bound = fault.bind(p.arguments);
      if (!bound.ok) {
        for (const issue of bound.issues.slice(0, 1)) {
          const problem = describeIssue(issue, p.arguments);
          ctx.issues.push({ code: 'custom', path: ['arguments', ...problem.path], input: p.arguments, message: problem.expected });
        }
        return z.NEVER;
      }
      return {
        type: 'fault',
        id: p.id,
        arguments: p.arguments,
        bound: bound.bound,
        ...(p.timeout === undefined ? {} : { timeout: p.timeout }),
      };
    });
}

/** Every provider type, dispatched on `type`. */
export function providerSchema(catalog: FaultCatalog) {
  return z.discriminatedUnion('type', [processProvider(), httpProvider(), faultProvider(catalog), pythonProvider()]);
}
