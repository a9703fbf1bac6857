import { ActivityFailedError } from '../errors';
import type { JsonValue } from '../../contract/json';
import type { Activity, RollbackStrategy } from '../model/types';
import { driverContext, runActivity, type ActivityEnvironment, type ActivityOutcome, type Undo } from './activity';
import { runWithinLimit } from './activity-limit';
import type { ActivityRun, RunStatus } from '../../contract/journal';

/** How the run stands when the experiment's rollbacks are decided (after the steady state after). */
export interface RollbackSituation {
  readonly strategy: RollbackStrategy;
  readonly status: RunStatus;
  readonly deviated: boolean;
}

/**
 * Null when the experiment's `rollbacks` are played, else why not (into the journal and the report).
 * chaostoolkit-lib's `run_rollback`, exactly: `always` plays them (also when the steady state before
 * failed and the method never ran), `never` does not, `default` plays them unless the status is
 * `failed` or `interrupted`, `deviated` only when the steady state deviated. The faults' own undo is
 * not decided here: the runner undoes every fault that ran, whatever the strategy.
 */
export function rollbackSkipReason(situation: RollbackSituation): string | null {
  if (situation.strategy === 'never') return 'rollback-strategy is "never"';
  if (situation.strategy === 'default' && (situation.status === 'failed' || situation.status === 'interrupted')) {
    return `rollback-strategy is "default" and the run ${situation.status === 'failed' ? 'failed' : 'was interrupted'}: \`npx chaos rollback <journal>\` plays them (or run with --rollback-strategy always)`;
  }
  if (situation.strategy === 'deviated' && !situation.deviated)
    return 'rollback-strategy is "deviated" and the steady state did not deviate';
  return null;
}

/** Rollbacks must finish even after an interruption, so they get their own signal and deadline. */
const ROLLBACK_TIMEOUT_MS = 5 * 60 * 1000;

async function undo(entry: Undo, env: ActivityEnvironment, signal: AbortSignal): Promise<{ run: ActivityRun; abortWith: Error | null }> {
  const start = env.clock.now();
  const activity = { type: 'action', name: `undo "${entry.name}"`, provider: { type: 'fault', id: entry.fault.id } };
  env.events.emit({ type: 'activity-started', phase: 'rollbacks', name: activity.name, activityType: 'action', background: false });
  let output: JsonValue = null;
  let failure: string | null = null;
  let abortWith: Error | null = null;
  try {
    const target = env.target;
    const rollback = entry.fault.rollback;
    if (target === null || rollback === null) throw new Error(`cannot undo ${entry.fault.id} without outputs`);
    const limited = await runWithinLimit(activity.name, entry.timeoutSeconds, signal, (limit) =>
      rollback(driverContext(env, target, limit, activity.name), entry.runResult),
    );
    output = limited.value;
    if (limited.late) throw limited.late;
  } catch (error) {
    failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (!(error instanceof ActivityFailedError)) abortWith = error instanceof Error ? error : new Error(String(error));
  }
  const end = env.clock.now();
  env.events.emit({
    type: 'activity-finished',
    phase: 'rollbacks',
    name: activity.name,
    ok: failure === null,
    durationMs: end - start,
    detail: failure,
  });
  return {
    run: {
      activity,
      status: failure === null ? 'succeeded' : 'failed',
      output,
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      duration: (end - start) / 1000,
      ...(failure === null ? {} : { exception: [failure] }),
    },
    abortWith,
  };
}

export interface RollbackOutcome {
  readonly runs: readonly ActivityRun[];
  /** Failed undos and failed `fault` rollbacks: each fails the run. */
  readonly failures: readonly string[];
  /**
   * Failed `process` and `http` rollbacks: recorded `failed`, as chaostoolkit records them, without
   * failing the run (chaoslib's `run_rollback` never changes the journal's status for one).
   */
  readonly unjudged: readonly string[];
  readonly abortWith: Error | null;
}

/**
 * Undoes the faults that ran (last first, one after the other), then plays the experiment's
 * rollbacks as chaostoolkit-lib's `run_rollbacks` and `apply_rollbacks` do: in their order, each
 * waited for unless it is `background: true`, which starts it and goes on to the next (the
 * background ones run alongside, each in its own pool slot); all are waited for before this returns.
 * The runs come back in declaration order (as chaoslib lists them), each with its own start and end.
 */
export async function runRollbacks(
  undos: readonly Undo[],
  rollbacks: readonly Activity[],
  env: ActivityEnvironment,
): Promise<RollbackOutcome> {
  const signal = AbortSignal.timeout(ROLLBACK_TIMEOUT_MS);
  const runs: ActivityRun[] = [];
  const failures: string[] = [];
  let abortWith: Error | null = null;
  for (const entry of [...undos].reverse()) {
    const outcome = await undo(entry, env, signal);
    runs.push(outcome.run);
    if (outcome.run.status === 'failed')
      failures.push(`rollback ${String(outcome.run.activity.name)} failed: ${outcome.run.exception?.[0] ?? 'error'}`);
    abortWith ??= outcome.abortWith;
  }
  const played: Promise<ActivityOutcome>[] = [];
  for (const activity of rollbacks) {
    const outcome = runActivity(activity, 'rollbacks', env, signal);
    played.push(outcome);
    if (!activity.background) await outcome;
  }
  const outcomes = await Promise.all(played);
  const unjudged: string[] = [];
  outcomes.forEach((outcome, i) => {
    runs.push(outcome.run);
    const activity = rollbacks[i];
    if (outcome.run.status === 'failed') {
      const line = `rollback "${activity?.name ?? '?'}" failed: ${outcome.run.exception?.[0] ?? 'error'}`;
      (activity?.provider.type === 'fault' ? failures : unjudged).push(line);
    }
    abortWith ??= outcome.abortWith;
  });
  return { runs, failures, unjudged, abortWith };
}
