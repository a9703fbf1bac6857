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
  /** The sampled probe's name (absent in journals written before several probes could be sampled). */
  probe: z.string().optional(),
});

/** Which figure is the time to recover: the sampler's (its final healthy streak) or the confirming poll's. */
export const RECOVERY_WITNESSES = ['sampler', 'poll'] as const;

/** The figures of one sampled probe over the fault window (t0 to the confirmed recovery). Times in ms since t0. */
const probeFiguresSchema = z.object({
  probe: z.string(),
  /** Samples per second, as the objective asked. */
  rate: z.number(),
  /** The objective's minimum percentage for this probe; null when it is measured, not judged. */
  min: z.number().nullable(),
  /** Percentage of healthy samples in the window, two decimals; null without samples. */
  availability: z.number().nullable(),
  total: z.number(),
  failed: z.number(),
  maxConsecutiveFailures: z.number(),
  /** Longest time without a healthy answer: from the last healthy sample before a failure streak (or t0) to the first after it (or the window's end). */
  longestGapMs: z.number().nullable(),
  /** `t` of the first failed sample; null when none failed. */
  firstFailureMs: z.number().nullable(),
  /** `t` of the first sample of the final healthy streak, when the probe failed and came back; else null. */
  recoveredMs: z.number().nullable(),
  /** Availability at or above `min`; null without a `min`. */
  met: z.boolean().nullable(),
});

/** What the recovery objective measured. Times are milliseconds since t0. */
const recoveryRecordSchema = z.object({
  /** Start of the first action (ISO); null when no action ran. */
  t0: z.string().nullable(),
  /** The first failed sample or the first failed steady-state poll, whichever came first; null when nothing was seen failing. */
  timeToDetectMs: z.number().nullable(),
  /** What saw the failure first; null when nothing was seen failing. */
  detectedBy: z.enum(RECOVERY_WITNESSES).nullable(),
  /** When the system answered again, by `witness`; null when recovery was not confirmed before the deadline. */
  timeToRecoverMs: z.number().nullable(),
  /** Which figure `timeToRecoverMs` is: `samplerRecoveredMs` or `pollRecoveredMs`; null when not recovered. */
  witness: z.enum(RECOVERY_WITNESSES).nullable(),
  /** Why that witness, in one sentence. */
  witnessReason: z.string(),
  /** Start of the steady-state poll that confirmed recovery. */
  pollRecoveredMs: z.number().nullable(),
  /** Start of the final healthy streak of the sampled probes that failed (the latest of them); null when none failed or one never came back. */
  samplerRecoveredMs: z.number().nullable(),
  /** When recovery was confirmed (the confirming poll ended, samples healthy): the fault window, and the figures, end here. */
  confirmedMs: z.number().nullable(),
  /** The lowest availability of the sampled probes, over the fault window; null without availability sampling. */
  availability: z.number().nullable(),
  /** The longest failure streak of any sampled probe, over the fault window. */
  maxConsecutiveFailures: z.number(),
  /** The longest gap of any sampled probe (see the probe figures); null without samples. */
  longestGapMs: z.number().nullable(),
  /** The figures per sampled probe, in the objective's order. */
  probes: z.array(probeFiguresSchema).readonly(),
  objective: jsonObjectSchema.nullable(),
  /** Whether the objective was met; null when it was not measured (the method did not complete). */
  met: z.boolean().nullable(),
  /** Every sample of every probe in time order, also those after the window (until sampling stopped). */
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
  /**
   * The short commit (`git rev-parse --short HEAD`) of the checkout holding the experiment file;
   * null when it is in none (or git is missing). Absent in journals written before it was recorded.
   */
  git_commit: z.string().nullable().optional(),
  /** The stack's outputs the run used (file, format, stack, target, environment, and `imageTag` when they name it); null without. */
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
export type ProbeFigures = z.infer<typeof probeFiguresSchema>;
export type RecoveryWitness = (typeof RECOVERY_WITNESSES)[number];
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

/** Journals written before the witness and per-probe figures lack them: null, empty. */
const readableRecovery = recoveryRecordSchema.extend({
  samples: z.array(sampleSchema).default([]),
  detectedBy: z.enum(RECOVERY_WITNESSES).nullable().default(null),
  witness: z.enum(RECOVERY_WITNESSES).nullable().default(null),
  witnessReason: z.string().default(''),
  pollRecoveredMs: z.number().nullable().default(null),
  samplerRecoveredMs: z.number().nullable().default(null),
  confirmedMs: z.number().nullable().default(null),
  longestGapMs: z.number().nullable().default(null),
  probes: z.array(probeFiguresSchema).default([]),
});

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
