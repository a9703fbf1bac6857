import type { PlatformOutputs } from '../../contract/outputs';
import type { BoundFault, Clock, DriverContext, FaultRecord } from '../faults/types';
import type { TargetBinding } from '../targets/bind-target';
import { ActivityFailedError } from '../errors';
import { isJsonObject, type JsonObject, type JsonValue } from '../../contract/json';
import { activityToJson } from '../model/to-json';
import type { Activity, ProbeActivity } from '../model/types';
import { firstBlastRadiusViolation } from '../targets/blast-radius';
import type { EventSink, Phase } from './events';
import { redact, redactText } from '../journal/journal-file';
import type { ActivityRun } from '../../contract/journal';
import { runHttp } from './providers/http';
import { runProcess } from './providers/process';
import { withinTolerance } from './tolerance';
import { ActivityAbandonedError, activityTimeoutSeconds, runWithinLimit, type Limited } from './activity-limit';

/** Told when an activity starts and ends, so that the journal is written as the run goes. */
export interface ActivityRecorder {
  /** Resolves once the start is recorded: the activity acts only after that. */
  started(phase: Phase, activity: JsonObject, start: string): Promise<void>;
  finished(phase: Phase, run: ActivityRun): Promise<void>;
}

/** What running an activity needs from the run around it. */
export interface ActivityEnvironment {
  readonly recorder?: ActivityRecorder;
  readonly outputs: PlatformOutputs | null;
  /** The outputs' target with its adapters; null when no outputs were loaded. */
  readonly target: TargetBinding | null;
  /** What this run's faults did, shared by all its activities. */
  readonly record: FaultRecord;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly cwd: string;
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  readonly secrets: readonly string[];
  /** Seconds an activity whose provider sets no `timeout` may run (the experiment's `activity-timeout`). */
  readonly activityTimeout: number;
}

/** A fault that ran and can be undone during rollbacks. */
export interface Undo {
  readonly name: string;
  readonly fault: BoundFault;
  readonly runResult: JsonValue;
  /** Seconds the undo may run: the same limit as the action it undoes. */
  readonly timeoutSeconds: number;
}

/** An activity's journal entry, plus what the engine must act on. */
export interface ActivityOutcome {
  readonly run: ActivityRun;
  /** An error that is not the system's fault (a bug, a broken client): it aborts the run. */
  readonly abortWith: Error | null;
  readonly undo: Undo | null;
}

export function driverContext(env: ActivityEnvironment, target: TargetBinding, signal: AbortSignal, name: string): DriverContext {
  const outputs = target.outputs;
  return {
    outputs,
    signal,
    clock: env.clock,
    record: env.record,
    use: (port) => target.use(port),
    serves: (port) => target.serves(port),
    log: {
      info: (message) => env.events.emit({ type: 'log', level: 'info', message: `${name}: ${message}` }),
      warn: (message) => env.events.emit({ type: 'log', level: 'warn', message: `${name}: ${message}` }),
    },
    guard: (targets) => {
      const violation = firstBlastRadiusViolation(targets, outputs);
      if (violation !== null) throw new ActivityFailedError(`refused outside the blast radius: ${violation}`);
    },
  };
}

/** Runs the provider; `value` is given to tolerance probes (HTTP `arguments.value`, process stdin and CHAOS_TOLERANCE_VALUE). */
async function runProvider(activity: Activity, env: ActivityEnvironment, signal: AbortSignal, value?: JsonValue): Promise<JsonValue> {
  const provider = activity.provider;
  switch (provider.type) {
    case 'process': {
      const valueText = value === undefined ? undefined : JSON.stringify(value);
      return runProcess(provider, {
        cwd: env.cwd,
        signal,
        env: valueText === undefined ? env.processEnv : { ...env.processEnv, CHAOS_TOLERANCE_VALUE: valueText },
        ...(valueText === undefined ? {} : { stdin: valueText }),
      });
    }
    case 'http':
      return runHttp(provider, signal, value === undefined ? undefined : { value });
    case 'fault': {
      if (env.target === null) throw new Error(`fault ${provider.id} needs stack outputs, and none were loaded`);
      // Checked before the run too; a fault reaching here unchecked still never runs without its ports.
      const refused = env.target.refusal(provider.id, provider.bound.requires);
      if (refused !== null) throw new ActivityFailedError(refused);
      return provider.bound.run(driverContext(env, env.target, signal, activity.name));
    }
  }
}

/**
 * Runs the provider within the activity's timeout: its signal aborts when the timeout passes, and
 * the provider stops (it never goes on in the background). A provider stopped by the timeout
 * rejects with `timed out after Ns`; one stopped by the run's signal with whatever it threw.
 */
function runLimited(activity: Activity, env: ActivityEnvironment, signal: AbortSignal, value?: JsonValue): Promise<Limited<JsonValue>> {
  const seconds = activityTimeoutSeconds(activity, env.activityTimeout);
  return runWithinLimit(activity.name, seconds, signal, (limited) => runProvider(activity, env, limited, value));
}

/** A process result's non-zero exit, in one line (with stderr's first line), or null. */
function nonZeroExit(activity: Activity, output: JsonValue): string | null {
  if (activity.provider.type !== 'process' || !isJsonObject(output) || output.status === 0) return null;
  const stderr = typeof output.stderr === 'string' ? output.stderr.trim().split('\n')[0] : '';
  return `process exited with status ${String(output.status)}${stderr ? `: ${stderr}` : ''}`;
}

/**
 * A tolerance probe judges the value: met when it runs without failing, and, for a process, when
 * it exits 0 (one of the two deliberate differences from chaostoolkit, which counts any process
 * result as met).
 */
async function judge(probe: ProbeActivity, value: JsonValue, env: ActivityEnvironment, signal: AbortSignal): Promise<boolean> {
  try {
    const { value: output, late } = await runLimited(probe, env, signal, value);
    return late === null && nonZeroExit(probe, output) === null;
  } catch (error) {
    if (error instanceof ActivityFailedError) return false;
    throw error;
  }
}

/** Whether a probe's output is within its tolerance (true when it has none). */
export async function toleranceMet(activity: Activity, output: JsonValue, env: ActivityEnvironment, signal: AbortSignal): Promise<boolean> {
  if (activity.type !== 'probe' || activity.tolerance === undefined) return true;
  const tolerance = activity.tolerance;
  return tolerance.kind === 'probe' ? judge(tolerance.probe, output, env, signal) : withinTolerance(tolerance, output);
}

/**
 * Whether a probe's tolerance is checked here: always in the steady state (before, during, the
 * recovery polls, after) and the guard probes; in the method and the rollbacks only for our
 * `fault` probes. chaostoolkit checks tolerances in the hypothesis only (chaoslib's
 * `run_steady_state_hypothesis`; its `execute_activity` never looks at one), so a `process` or
 * `http` probe there is neither judged nor given a `tolerance_met`, nor is its tolerance probe run.
 */
function judgesTolerance(activity: Activity, phase: Phase): boolean {
  return (phase !== 'method' && phase !== 'rollbacks') || activity.provider.type === 'fault';
}

/**
 * chaoslib's kind warnings, where it gives them (an activity without a tolerance): a process that
 * exits non-zero, an HTTP answer above 399. Only warnings: the activity succeeded, as there.
 */
function warnAsChaostoolkit(activity: Activity, output: JsonValue, env: ActivityEnvironment): void {
  if (activity.type === 'probe' && activity.tolerance !== undefined) return;
  const exit = nonZeroExit(activity, output);
  const status = isJsonObject(output) ? output.status : undefined;
  const http = activity.provider.type === 'http' && typeof status === 'number' && status > 399 ? `HTTP status ${status}` : null;
  const what = exit ?? http;
  if (what !== null)
    env.events.emit({
      type: 'log',
      level: 'warn',
      message: `${activity.name}: ${redactText(what, env.secrets)} (recorded as succeeded, as chaostoolkit does)`,
    });
}

function oneLineOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0] ?? ''}`;
  return String(error);
}

/**
 * Runs one activity (pauses included) and records it. Never rejects: failures become the journal
 * entry; an error that is not an `ActivityFailedError` is also handed back to abort the run. The
 * provider runs within the activity's timeout (pauses do not count); when `signal` stops it
 * instead, the entry says why (interrupted, the recovery deadline).
 */
export async function runActivity(
  activity: Activity,
  phase: Phase,
  env: ActivityEnvironment,
  signal: AbortSignal,
  onStart?: () => void,
): Promise<ActivityOutcome> {
  const pause = async (when: 'before' | 'after'): Promise<void> => {
    const seconds = activity.pauses[when];
    if (seconds <= 0) return;
    env.events.emit({ type: 'pause', name: activity.name, seconds, when });
    await env.clock.sleep(seconds * 1000, signal);
  };
  env.events.emit({ type: 'activity-started', phase, name: activity.name, activityType: activity.type, background: activity.background });
  let output: JsonValue = null;
  let failure: string | null = null;
  let abortWith: Error | null = null;
  let met: boolean | undefined;
  let returned = false;
  let startedAt = env.clock.now();
  let endedAt = startedAt;
  try {
    await pause('before');
    onStart?.();
    startedAt = env.clock.now();
    await env.recorder?.started(phase, redactObject(activityToJson(activity), env.secrets), new Date(startedAt).toISOString());
    const limited = await runLimited(activity, env, signal);
    endedAt = env.clock.now();
    output = limited.value;
    returned = true;
    failure = limited.late === null ? null : oneLineOf(limited.late);
    if (failure === null && activity.type === 'probe' && activity.tolerance !== undefined && judgesTolerance(activity, phase)) {
      met = await toleranceMet(activity, output, env, signal);
    }
    if (failure === null) warnAsChaostoolkit(activity, output, env);
  } catch (error) {
    endedAt = env.clock.now();
    const abandoned = error instanceof ActivityAbandonedError;
    // Stopped by the run (interruption, the recovery deadline): that is why, whatever the provider threw.
    failure = oneLineOf(signal.aborted && !abandoned ? signal.reason : error);
    if (abandoned || (!(error instanceof ActivityFailedError) && !signal.aborted))
      abortWith = error instanceof Error ? error : new Error(String(error));
  }
  if (failure === null) {
    try {
      await pause('after');
    } catch (error) {
      // Interrupted while waiting after an activity that did its work: the activity stands as it
      // ran; the run notices the interruption through the same signal.
      if (!signal.aborted) throw error;
    }
  }
  const exception = failure === null ? undefined : [redactText(failure, env.secrets)];
  const run: ActivityRun = {
    activity: redactObject(activityToJson(activity), env.secrets),
    status: failure === null ? 'succeeded' : 'failed',
    output: redact(output, env.secrets),
    start: new Date(startedAt).toISOString(),
    end: new Date(endedAt).toISOString(),
    duration: (endedAt - startedAt) / 1000,
    ...(exception === undefined ? {} : { exception }),
    ...(met === undefined ? {} : { tolerance_met: met }),
  };
  await env.recorder?.finished(phase, run);
  env.events.emit({
    type: 'activity-finished',
    phase,
    name: activity.name,
    ok: failure === null && met !== false,
    durationMs: endedAt - startedAt,
    detail: failure ?? (met === false ? 'value outside its tolerance' : null),
  });
  // A fault that returned is undone even when it came back late: what it did is in its result.
  const undo =
    returned && activity.provider.type === 'fault' && activity.provider.bound.rollback !== null
      ? {
          name: activity.name,
          fault: activity.provider.bound,
          runResult: output,
          timeoutSeconds: activityTimeoutSeconds(activity, env.activityTimeout),
        }
      : null;
  return { run, abortWith, undo };
}

function redactObject(value: JsonObject, secrets: readonly string[]): JsonObject {
  const out = redact(value, secrets);
  return isJsonObject(out) ? out : value;
}
