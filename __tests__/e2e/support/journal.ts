import { readFileSync } from 'node:fs';
import { journalSchema, type ActivityRun, type HypothesisRun, type Journal } from '../../../contract/journal';
import { z } from 'zod';

/** The journal as the engine writes it: the contract's one schema, strict, as the e2e tests read it. */
export { journalSchema };
export type { ActivityRun, HypothesisRun, Journal };

/** The recovery objective as the journal records it (a JSON object there), parsed where a test reads it. */
const objectiveSchema = z.object({
  within: z.number(),
  poll: z.number(),
  /** One entry per sampled probe; `min` only where the probe is judged. */
  availability: z.array(z.object({ min: z.number().optional(), probe: z.string(), rate: z.number(), timeout: z.number() })).optional(),
});

export function objectiveOf(journal: Journal): z.infer<typeof objectiveSchema> | null {
  const objective = journal.recovery?.objective;
  return objective === undefined || objective === null ? null : objectiveSchema.parse(objective);
}

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

/** The recovery figures of one sampled probe (over the fault window); fails the test when it was not sampled. */
export function figuresOf(journal: Journal, probe: string): NonNullable<Journal['recovery']>['probes'][number] {
  const figures = journal.recovery?.probes.find((p) => p.probe === probe);
  if (figures === undefined) throw new Error(`the journal has no availability figures for the probe "${probe}"`);
  return figures;
}
