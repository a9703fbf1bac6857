import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The journal as the e2e tests read it: the fields they assert on, validated (the engine's own
 * unit tests own the full shape). Activity outputs stay `unknown` here and are parsed with the
 * small schemas below where a test looks inside one.
 */
const activityRun = z.object({
  activity: z.object({ name: z.string(), type: z.enum(['action', 'probe']) }),
  status: z.enum(['succeeded', 'failed']),
  output: z.unknown(),
  start: z.string(),
  end: z.string(),
  tolerance_met: z.boolean().optional(),
});

const hypothesisRun = z.object({ steady_state_met: z.boolean().nullable(), probes: z.array(activityRun) });

const sample = z.object({ t: z.number(), ok: z.boolean(), status: z.number().optional(), latencyMs: z.number() });

export const journalSchema = z.object({
  status: z.enum(['completed', 'failed', 'aborted', 'interrupted']),
  deviated: z.boolean(),
  reasons: z.array(z.string()),
  start: z.string(),
  end: z.string(),
  duration: z.number(),
  steady_states: z.object({ before: hypothesisRun.nullable(), during: z.array(hypothesisRun), after: hypothesisRun.nullable() }),
  run: z.array(activityRun),
  rollbacks: z.array(activityRun),
  rollbacks_skipped: z.string().nullable(),
  recovery: z
    .object({
      t0: z.string().nullable(),
      timeToDetectMs: z.number().nullable(),
      timeToRecoverMs: z.number().nullable(),
      availability: z.number().nullable(),
      maxConsecutiveFailures: z.number(),
      objective: z
        .object({
          within: z.number(),
          poll: z.number(),
          availability: z.object({ min: z.number(), probe: z.string(), rate: z.number(), timeout: z.number() }).optional(),
        })
        .nullable(),
      met: z.boolean().nullable(),
      samples: z.array(sample),
    })
    .nullable(),
});

export type Journal = z.infer<typeof journalSchema>;
export type ActivityRun = z.infer<typeof activityRun>;
export type HypothesisRun = z.infer<typeof hypothesisRun>;

/** Reads and validates a journal written by `chaos run`. */
export function readJournal(file: string): Journal {
  return journalSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

/** The probe named `name` in a hypothesis run; throws when it did not run there. */
export function probeIn(hypothesis: HypothesisRun | null, name: string): ActivityRun {
  const found = hypothesis?.probes.find((p) => p.activity.name === name);
  if (found === undefined)
    throw new Error(
      `probe "${name}" is not in the hypothesis run (${hypothesis?.probes.map((p) => p.activity.name).join(', ') ?? 'none'})`,
    );
  return found;
}

/** The method activity named `name`; throws when the method did not run it. */
export function activityIn(runs: readonly ActivityRun[], name: string): ActivityRun {
  const found = runs.find((r) => r.activity.name === name);
  if (found === undefined) throw new Error(`activity "${name}" did not run (${runs.map((r) => r.activity.name).join(', ')})`);
  return found;
}

/** Outputs of the fault and probe modules the tests look into (see chaos/drivers). */
export const outputs = {
  /** `ecs:stop-task` (swarm) and `ssh:docker-stop`/`ssh:docker-kill`. */
  stop: z.object({ stoppedTask: z.string().optional(), stoppedContainer: z.string().optional() }),
  /** `ecs:service-stable` (swarm: service-converged). */
  stable: z.object({
    stable: z.boolean(),
    runningTasks: z.array(z.string()),
    newTask: z.string().optional(),
    newContainer: z.string().optional(),
  }),
  /** `ssh:container-running`. */
  containerRunning: z.object({ running: z.boolean(), containers: z.array(z.object({ id: z.string() })), replaced: z.boolean().nullable() }),
  /** `ssh:http-get`. */
  directGet: z.object({ status: z.number(), instance: z.string().nullable(), newInstance: z.boolean().nullable() }),
} as const;

/** The longest run of failed samples. */
export function longestFailureRun(samples: readonly { readonly ok: boolean }[]): number {
  let longest = 0;
  let current = 0;
  for (const s of samples) {
    current = s.ok ? 0 : current + 1;
    longest = Math.max(longest, current);
  }
  return longest;
}
