import type { Activity } from '../model/types';
import { runActivity, type ActivityEnvironment, type ActivityOutcome, type Undo } from './activity';
import type { ActivityRun } from '../../contract/journal';

export interface MethodOutcome {
  /** In order of start. */
  readonly runs: readonly ActivityRun[];
  readonly undos: readonly Undo[];
  /** One line per `fault` activity that failed or `fault` probe outside its tolerance: each fails the run. */
  readonly failures: readonly string[];
  /** False when a failed fault action stopped the method early or the run was interrupted. */
  readonly completed: boolean;
  readonly abortWith: Error | null;
}

/**
 * Why this method activity fails the run, or null. Only our `fault` providers do: a `process` or
 * `http` activity is judged as chaostoolkit judges it in the method, which is not at all
 * (chaoslib's `apply_activities` records a failed activity and goes on, and the run ends
 * `completed` unless the steady state after deviates).
 */
function failureOf(outcome: ActivityOutcome, activity: Activity): string | null {
  if (activity.provider.type !== 'fault') return null;
  const { run } = outcome;
  if (run.status === 'failed') return `${activity.type} "${activity.name}" failed: ${run.exception?.[0] ?? 'error'}`;
  if (run.tolerance_met === false) return `probe "${activity.name}" in the method is outside its tolerance`;
  return null;
}

/**
 * Runs the method's activities in order, background ones alongside. A `process` or `http`
 * activity is recorded as chaostoolkit records it and the method goes on whatever it did. Our
 * `fault` providers are stricter (chaostoolkit has none, so no verdict of its changes): a failed
 * fault action stops the method (what follows assumed it worked) and fails the run, and a fault
 * probe with a tolerance is judged by it.
 */
export async function runMethod(
  activities: readonly Activity[],
  env: ActivityEnvironment,
  signal: AbortSignal,
  onAction: () => void,
  /** Stops the method before its next activity (the current one finishes): `--fail-fast`. */
  stopBefore: AbortSignal | null = null,
): Promise<MethodOutcome> {
  const settled: { activity: Activity; outcome: ActivityOutcome }[] = [];
  const background: Promise<void>[] = [];
  let stoppedEarly = false;
  for (const activity of activities) {
    if (signal.aborted || stopBefore?.aborted === true) {
      stoppedEarly = true;
      break;
    }
    const onStart = activity.type === 'action' ? onAction : undefined;
    if (activity.background) {
      background.push(runActivity(activity, 'method', env, signal, onStart).then((outcome) => void settled.push({ activity, outcome })));
      continue;
    }
    const outcome = await runActivity(activity, 'method', env, signal, onStart);
    settled.push({ activity, outcome });
    if (outcome.abortWith !== null) break;
    if (activity.type === 'action' && activity.provider.type === 'fault' && outcome.run.status === 'failed') {
      stoppedEarly = true;
      break;
    }
  }
  await Promise.all(background);
  const ordered = [...settled].sort((a, b) => a.outcome.run.start.localeCompare(b.outcome.run.start));
  const failures = ordered.map(({ activity, outcome }) => failureOf(outcome, activity)).filter((f): f is string => f !== null);
  const abortWith = ordered.find(({ outcome }) => outcome.abortWith !== null)?.outcome.abortWith ?? null;
  return {
    runs: ordered.map(({ outcome }) => outcome.run),
    undos: ordered.map(({ outcome }) => outcome.undo).filter((u): u is Undo => u !== null),
    failures,
    completed: !stoppedEarly && !signal.aborted && stopBefore?.aborted !== true && abortWith === null,
    abortWith,
  };
}
