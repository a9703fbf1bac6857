import { z } from 'zod';
import { jsonObjectSchema, jsonValueSchema } from '../../contract/json';

/**
 * Journals as the report reads them: ours in full, and chaostoolkit's (which lack `recovery`,
 * `reasons` and the rollback fields) with defaults. Validated at this edge like everything else.
 */
const activityRun = z.object({
  activity: jsonObjectSchema,
  status: z.string(),
  output: jsonValueSchema.optional().default(null),
  start: z.string(),
  end: z.string(),
  duration: z.number(),
  exception: z
    .union([z.array(z.string()), z.string()])
    .optional()
    .transform((e) => (e === undefined ? [] : typeof e === 'string' ? [e] : e)),
  tolerance_met: z.boolean().optional(),
});

const hypothesisRun = z.object({
  steady_state_met: z.boolean().nullable(),
  probes: z.array(activityRun).default([]),
  at: z.string().optional(),
});

const sample = z.object({
  t: z.number(),
  ok: z.boolean(),
  status: z.number().optional(),
  latencyMs: z.number(),
  error: z.string().optional(),
});

const recovery = z.object({
  t0: z.string().nullable(),
  timeToDetectMs: z.number().nullable(),
  timeToRecoverMs: z.number().nullable(),
  availability: z.number().nullable(),
  maxConsecutiveFailures: z.number(),
  objective: jsonObjectSchema.nullable(),
  met: z.boolean().nullable(),
  samples: z.array(sample).default([]),
});

export const reportJournalSchema = z.object({
  experiment: jsonObjectSchema,
  experiment_file: z.string().optional(),
  outputs: jsonObjectSchema.nullable().optional().default(null),
  start: z.string(),
  end: z.string(),
  duration: z.number(),
  status: z.string(),
  deviated: z.boolean(),
  reasons: z.array(z.string()).default([]),
  steady_states: z
    .object({
      before: hypothesisRun.nullable().default(null),
      during: z
        .union([z.array(hypothesisRun), hypothesisRun, z.null()])
        .transform((d) => (d === null ? [] : Array.isArray(d) ? d : [d]))
        .default([]),
      after: hypothesisRun.nullable().default(null),
    })
    .default({ before: null, during: [], after: null }),
  run: z.array(activityRun).default([]),
  rollbacks: z.array(activityRun).default([]),
  rollback_strategy: z.string().optional(),
  rollbacks_skipped: z.string().nullable().default(null),
  recovery: recovery.nullable().default(null),
});

export type ReportJournal = z.output<typeof reportJournalSchema>;
export type ReportActivityRun = z.output<typeof activityRun>;
export type ReportHypothesisRun = z.output<typeof hypothesisRun>;
