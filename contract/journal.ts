import { z } from 'zod';
import { jsonObjectSchema, jsonValueSchema } from './json';

/**
 * The journal, declared once, the contract between the chaos engine (which writes it), its reports
 * and the rehearsal (which read it): a superset of chaostoolkit's (status, deviated, steady_states, run,
 * rollbacks, start/end/duration) plus `recovery` and the adapters the run was bound to. The engine
 * writes `Journal` (inferred from `journalSchema`); reports read any journal through
 * `readableJournalSchema`, the same schema relaxed for chaostoolkit's journals, which lack our
 * fields and spell a few others differently.
 */

export const RUN_STATUSES = ['completed', 'failed', 'aborted', 'interrupted'] as const;

/**
 * `running`: the journal as written while the run goes (before anything is injected, then at each
 * activity's start and end). A journal still `running` after its run is gone records a run that
 * was killed: `chaos rollback <journal>` finishes it.
 */
export const JOURNAL_STATUSES = [...RUN_STATUSES, 'running'] as const;

/** One activity as it ran (chaostoolkit's run entry). */
const activityRunSchema = z.object({
  activity: jsonObjectSchema,
  status: z.enum(['succeeded', 'failed']),
  output: jsonValueSchema,
  start: z.string(),
  end: z.string(),
  /** Seconds. */
  duration: z.number(),
  /** One line per entry (no stack traces). */
  exception: z.array(z.string()).readonly().optional(),
  tolerance_met: z.boolean().optional(),
});

/** One check of the steady-state hypothesis. */
const hypothesisRunSchema = z.object({
  steady_state_met: z.boolean(),
  probes: z.array(activityRunSchema).readonly(),
  /** When the check started. */
  at: z.string(),
});

/** One availability sample; `t` is milliseconds since t0. */
const sampleSchema = z.object({
  t: z.number(),
  ok: z.boolean(),
  status: z.number().optional(),
  latencyMs: z.number(),
  error: z.string().optional(),
});

/** What the recovery objective measured. Times are milliseconds since t0. */
const recoveryRecordSchema = z.object({
  /** Start of the first action (ISO); null when no action ran. */
  t0: z.string().nullable(),
  /** First failed sample (or failed steady-state poll); null when nothing was seen failing. */
  timeToDetectMs: z.number().nullable(),
  /** When the steady state was confirmed again; null when it never was before the deadline. */
  timeToRecoverMs: z.number().nullable(),
  /** Percentage of successful samples; null without availability sampling. */
  availability: z.number().nullable(),
  maxConsecutiveFailures: z.number(),
  objective: jsonObjectSchema.nullable(),
  /** Whether the objective was met; null when it was not measured (the method did not complete). */
  met: z.boolean().nullable(),
  samples: z.array(sampleSchema).readonly(),
});

const steadyStatesSchema = z.object({
  before: hypothesisRunSchema.nullable(),
  during: z.array(hypothesisRunSchema).readonly(),
  after: hypothesisRunSchema.nullable(),
});

export const journalSchema = z.object({
  'chaos-engine': z.string(),
  platform: z.string(),
  node: z.string(),
  experiment: jsonObjectSchema,
  experiment_file: z.string(),
  outputs: jsonObjectSchema.nullable(),
  /** Which adapter served each port (orchestrator, host, aws) on the outputs' target; null without outputs. */
  adapters: jsonObjectSchema.nullable(),
  start: z.string(),
  end: z.string(),
  /** Seconds. */
  duration: z.number(),
  status: z.enum(JOURNAL_STATUSES),
  /** The process that ran it, so a killed run can be told from a live one. */
  pid: z.number().int().optional(),
  /** Activities started and not yet finished (only while `running`): what a killed run may have left half-done. */
  in_flight: z
    .array(z.object({ activity: jsonObjectSchema, phase: z.string(), start: z.string() }))
    .readonly()
    .optional(),
  deviated: z.boolean(),
  /** Why the run ended as it did, one line each; empty when completed. */
  reasons: z.array(z.string()).readonly(),
  steady_states: steadyStatesSchema,
  run: z.array(activityRunSchema).readonly(),
  rollbacks: z.array(activityRunSchema).readonly(),
  rollback_strategy: z.string(),
  /** Why rollbacks did not run; null when they did. */
  rollbacks_skipped: z.string().nullable(),
  recovery: recoveryRecordSchema.nullable(),
  /** The experiment's stop conditions: probes, alarms, maximum duration, checks made, the breach (null: none). */
  stop_conditions: jsonObjectSchema.optional(),
});

export type RunStatus = (typeof RUN_STATUSES)[number];
export type JournalStatus = (typeof JOURNAL_STATUSES)[number];
export type AvailabilitySample = z.infer<typeof sampleSchema>;
export type ActivityRun = z.infer<typeof activityRunSchema>;
export type HypothesisRun = z.infer<typeof hypothesisRunSchema>;
export type RecoveryRecord = z.infer<typeof recoveryRecordSchema>;
export type Journal = z.infer<typeof journalSchema>;

// The reader: the same parts, relaxed where chaostoolkit's journals differ.

const readableActivityRun = activityRunSchema.extend({
  status: z.string(),
  output: jsonValueSchema.optional().default(null),
  exception: z
    .union([z.array(z.string()), z.string()])
    .optional()
    .transform((e) => (e === undefined ? [] : typeof e === 'string' ? [e] : e)),
});

const readableHypothesisRun = hypothesisRunSchema.extend({
  steady_state_met: z.boolean().nullable(),
  probes: z.array(readableActivityRun).default([]),
  at: z.string().optional(),
});

const readableRecovery = recoveryRecordSchema.extend({ samples: z.array(sampleSchema).default([]) });

export const readableJournalSchema = journalSchema.omit({ 'chaos-engine': true, platform: true, node: true }).extend({
  experiment_file: z.string().optional(),
  outputs: jsonObjectSchema.nullable().optional().default(null),
  adapters: jsonObjectSchema.nullable().optional().default(null),
  status: z.string(),
  reasons: z.array(z.string()).default([]),
  steady_states: z
    .object({
      before: readableHypothesisRun.nullable().default(null),
      during: z
        .union([z.array(readableHypothesisRun), readableHypothesisRun, z.null()])
        .transform((d) => (d === null ? [] : Array.isArray(d) ? d : [d]))
        .default([]),
      after: readableHypothesisRun.nullable().default(null),
    })
    .default({ before: null, during: [], after: null }),
  run: z.array(readableActivityRun).default([]),
  rollbacks: z.array(readableActivityRun).default([]),
  rollback_strategy: z.string().optional(),
  rollbacks_skipped: z.string().nullable().default(null),
  recovery: readableRecovery.nullable().default(null),
});

export type ReadableJournal = z.output<typeof readableJournalSchema>;
export type ReadableActivityRun = z.output<typeof readableActivityRun>;
export type ReadableHypothesisRun = z.output<typeof readableHypothesisRun>;
