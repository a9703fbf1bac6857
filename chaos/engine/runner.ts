import { AvailabilitySampler } from '../sampling/availability-sampler';
import { SamplerSet } from '../sampling/sampler-set';
import { createFaultRecord } from '../faults/fault-record';
import type { Clock } from '../faults/types';
import type { TargetBinding } from '../targets/bind-target';
import { InterruptedError } from '../errors';
import { HaltedError } from '../safety/halt';
import { StopConditionBreach, stopConditionsJson, watchStopConditions, type StopConditionWatch } from '../safety/stop-conditions';
import type { Experiment } from '../model/types';
import type { LoadedOutputs } from '../targets/outputs-reader';
import type { ActivityEnvironment, Undo } from './activity';
import type { EventSink } from './events';
import { checkHypothesis, whyNotMet } from './hypothesis';
import {
  checkDuringMethod,
  checksAfter,
  checksBefore,
  checksDuring,
  DEFAULT_HYPOTHESIS_SCHEDULE,
  type DuringOutcome,
  type HypothesisSchedule,
} from './hypothesis-strategy';
import { JournalWriter } from '../journal/journal-file';
import type { Journal } from '../../contract/journal';
import { runMethod } from './method';
import { waitUntilRecovered } from './recovery';
import { rollbackSkipReason, runRollbacks } from './rollback';
import { RunState } from './run-state';
import { sampleTargetFor } from './sampling';

export interface RunOptions {
  readonly outputs: LoadedOutputs | null;
  readonly journalPath: string;
  /** Aborts (with an `InterruptedError` reason) on SIGINT/SIGTERM. */
  readonly interrupt: AbortSignal;
  readonly events: EventSink;
  readonly clock: Clock;
  /** The outputs' target with its adapters, bound once for the run (null without outputs). */
  readonly target: TargetBinding | null;
  readonly cwd: string;
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /** When the steady state is checked (`--hypothesis-strategy`); chaostoolkit's default: before and after. */
  readonly hypothesisSchedule?: HypothesisSchedule;
  /** The short commit of the checkout holding the experiment, for the journal's `git_commit` (null or absent: not in one). */
  readonly gitCommit?: string | null;
}

/** Sampling stops by itself this long after the recovery deadline, whatever happens. */
const SAMPLER_SLACK_MS = 5 * 60 * 1000;

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Runs an experiment: steady state before → method (sampling every availability probe from the first action) → wait until
 * recovered → steady state after → rollbacks. Always writes the journal, also when interrupted
 * or aborted, and returns it. The caller turns the journal into an exit code.
 */
export async function runExperiment(experiment: Experiment, options: RunOptions): Promise<Journal> {
  const { clock, events } = options;
  // A breached stop condition aborts the run through the same signal as an interruption.
  const guard = new AbortController();
  const interrupt = AbortSignal.any([options.interrupt, guard.signal]);
  const conditions = experiment.stopConditions;
  const maxDuration =
    conditions?.maxDuration === undefined
      ? null
      : setTimeout(
          () => guard.abort(new StopConditionBreach(`stop condition: the maximum run duration of ${conditions.maxDuration}s was reached`)),
          conditions.maxDuration * 1000,
        );
  // Started with the first action (a closure sets it, so it lives in an object TypeScript can follow).
  const watching: { current: StopConditionWatch | null } = { current: null };
  const state = new RunState(experiment, options.outputs, options.target?.adapters ?? null, clock.now(), options.gitCommit ?? null);
  const env: ActivityEnvironment = {
    outputs: options.outputs?.outputs ?? null,
    target: options.target,
    record: createFaultRecord(),
    clock,
    events,
    cwd: options.cwd,
    processEnv: options.processEnv,
    secrets: experiment.secretValues,
    recorder: state,
    activityTimeout: experiment.activityTimeout,
  };
  // Record before acting: the journal exists, `running`, before the first probe, and follows each
  // activity's start and end, so a killed run still says what it injected.
  const writer = new JournalWriter(options.journalPath);
  state.onChange = () => writer.checkpoint(state.snapshot(clock.now()));
  await writer.checkpoint(state.snapshot(clock.now()));
  const objective = experiment.recovery;
  let sampler: SamplerSet | null = null;
  let undos: readonly Undo[] = [];
  const startMeasuring = (): void => {
    if (state.t0 !== null) return;
    state.t0 = clock.now();
    if (conditions !== undefined && (conditions.probes.length > 0 || conditions.alarms.length > 0)) {
      watching.current = watchStopConditions(conditions, env, interrupt, guard);
    }
    if (!objective) return;
    const sampled = objective.availability.flatMap((availability) => {
      const target = sampleTargetFor(experiment, availability, env.outputs);
      if (target === null) return [];
      const one = new AvailabilitySampler({
        target,
        rate: availability.rate,
        timeoutMs: availability.timeout * 1000,
        maxDurationMs: objective.within * 1000 + SAMPLER_SLACK_MS,
        onProgress: (p) => events.emit({ type: 'samples', probe: availability.probe, ...p }),
      });
      return [{ probe: availability.probe, url: target.url, rate: availability.rate, sampler: one }];
    });
    if (sampled.length === 0) return;
    const set = new SamplerSet(sampled);
    set.start();
    sampler = set;
    for (const { probe, url, rate } of sampled) events.emit({ type: 'sampling-started', probe, url, rate });
  };
  const stopSampling = async (cancel: boolean): Promise<void> => {
    const active: SamplerSet | null = sampler;
    if (active === null) return;
    sampler = null;
    state.samples = cancel ? await active.cancel() : await active.stop();
  };

  const schedule = options.hypothesisSchedule ?? DEFAULT_HYPOTHESIS_SCHEDULE;
  const strategyNote = `hypothesis strategy "${schedule.strategy}"`;
  events.emit({ type: 'run-started', title: experiment.title, journal: options.journalPath });
  try {
    const hypothesis = experiment.hypothesis;
    if (hypothesis && !checksBefore(schedule.strategy)) {
      events.emit({ type: 'phase-skipped', phase: 'hypothesis-before', reason: strategyNote });
    } else if (hypothesis) {
      events.emit({ type: 'phase-started', phase: 'hypothesis-before' });
      const before = await checkHypothesis(hypothesis, 'hypothesis-before', env, interrupt);
      state.before = before.result;
      if (interrupt.aborted) throw interrupt.reason;
      if (before.abortWith) throw before.abortWith;
      if (!before.result.steady_state_met)
        state.end('failed', `steady state not met before the method, so no fault was injected: ${whyNotMet(before.result)}`);
    } else {
      events.emit({ type: 'phase-skipped', phase: 'hypothesis-before', reason: 'the experiment has no steady-state hypothesis' });
    }
    if (state.status === 'completed') {
      events.emit({ type: 'phase-started', phase: 'method' });
      state.methodStarted = true;
      if (!experiment.method.some((a) => a.type === 'action')) startMeasuring();
      // During the method (`during-method`, `continuously`): checked in the background until it ends.
      const methodDone = new AbortController();
      const failFast = new AbortController();
      let during: Promise<DuringOutcome> | null = null;
      if (hypothesis && checksDuring(schedule.strategy)) {
        events.emit({ type: 'phase-started', phase: 'hypothesis-during' });
        during = checkDuringMethod(hypothesis, schedule, env, AbortSignal.any([interrupt, methodDone.signal]), () => failFast.abort());
      }
      const method = await runMethod(experiment.method, env, interrupt, startMeasuring, failFast.signal);
      methodDone.abort();
      const duringOutcome = during === null ? null : await during;
      if (duringOutcome !== null) {
        state.during.push(...duringOutcome.runs);
        if (duringOutcome.failedFast !== null) state.end('failed', `${duringOutcome.failedFast} (--fail-fast stopped the method)`);
        if (duringOutcome.abortWith) throw duringOutcome.abortWith;
      }
      state.runs.push(...method.runs);
      undos = method.undos;
      // After an interruption, activities cut short are not failures of the system under test.
      if (interrupt.aborted) throw interrupt.reason;
      method.failures.forEach((f) => state.end('failed', f));
      if (method.abortWith) throw method.abortWith;

      if (objective && method.completed && state.t0 !== null) {
        events.emit({ type: 'phase-started', phase: 'recovery' });
        const t0 = state.t0;
        const wait = await waitUntilRecovered({
          t0,
          deadline: t0 + objective.within * 1000,
          pollMs: objective.poll * 1000,
          check: async (signal) => {
            if (!hypothesis) return null;
            const poll = await checkHypothesis(hypothesis, 'recovery', env, signal);
            if (poll.abortWith) throw poll.abortWith;
            return poll.result;
          },
          sampler,
          hangingMs: 500,
          clock,
          signal: interrupt,
          events,
        });
        state.during.push(...wait.polls);
        state.recovery = {
          measured: true,
          pollRecoveredAt: wait.recoveredAt,
          confirmedAt: wait.confirmedAt,
          firstFailedPollAt: wait.firstFailedPollAt,
        };
        await stopSampling(false);
        state.judgeRecovery();
      } else if (objective) {
        events.emit({ type: 'phase-skipped', phase: 'recovery', reason: 'the method did not complete' });
      }

      if (hypothesis && !checksAfter(schedule.strategy)) {
        events.emit({ type: 'phase-skipped', phase: 'hypothesis-after', reason: strategyNote });
      } else if (hypothesis) {
        events.emit({ type: 'phase-started', phase: 'hypothesis-after' });
        const after = await checkHypothesis(hypothesis, 'hypothesis-after', env, interrupt);
        state.after = after.result;
        if (interrupt.aborted) throw interrupt.reason;
        if (after.abortWith) throw after.abortWith;
        if (!after.result.steady_state_met) {
          state.deviated = true;
          state.end('failed', `steady state deviated after the method: ${whyNotMet(after.result)}`);
        }
      }
    }
  } catch (error) {
    const reason: unknown = interrupt.reason;
    if (interrupt.aborted && (reason instanceof StopConditionBreach || reason instanceof HaltedError)) {
      events.emit({ type: 'log', level: 'warn', message: `${reason.message}: stopping the method, running the rollbacks` });
      state.end('aborted', reason.message);
    } else if (interrupt.aborted) {
      const signal = reason instanceof InterruptedError ? reason.signal : 'interrupt';
      events.emit({ type: 'interrupted', signal });
      state.end('interrupted', `interrupted by ${signal}`);
    } else {
      state.end('aborted', `aborted: ${describeError(error)}`);
    }
  }
  await stopSampling(state.status === 'interrupted');
  if (maxDuration !== null) clearTimeout(maxDuration);
  const guarded = watching.current;
  if (conditions !== undefined) state.stopConditions = stopConditionsJson(conditions, guarded === null ? null : await guarded.stop());

  // The faults that ran are always undone (whatever the strategy: a fault is ours to take back);
  // the strategy decides the experiment's own `rollbacks`, as chaostoolkit-lib's run_rollback does.
  const skip = rollbackSkipReason({ strategy: experiment.rollbackStrategy, status: state.status, deviated: state.deviated });
  const played = skip === null ? experiment.rollbacks : [];
  if (undos.length > 0 || played.length > 0) {
    events.emit({ type: 'phase-started', phase: 'rollbacks' });
    const rolled = await runRollbacks(undos, played, env);
    state.rollbacks.push(...rolled.runs);
    rolled.failures.forEach((f) => state.end('failed', f));
    for (const line of rolled.unjudged)
      events.emit({ type: 'log', level: 'warn', message: `${line} (recorded; the run goes on, as in chaostoolkit)` });
    if (rolled.abortWith) state.end('aborted', `aborted during rollbacks: ${describeError(rolled.abortWith)}`);
  }
  if (skip !== null) {
    state.rollbacksSkipped = skip;
    // After the faults' undo, the skip is the experiment's list only.
    if (undos.length > 0) events.emit({ type: 'log', level: 'info', message: `the experiment's rollbacks are skipped: ${skip}` });
    else events.emit({ type: 'phase-skipped', phase: 'rollbacks', reason: skip });
  } else if (experiment.rollbacks.length === 0 && undos.length === 0) {
    state.rollbacksSkipped = 'the experiment declares no rollbacks';
  }

  const journal = state.toJournal(clock.now());
  state.onChange = async () => undefined;
  await writer.close(journal);
  events.emit({ type: 'run-finished', status: journal.status, deviated: journal.deviated, journal: options.journalPath });
  return journal;
}

/** 0 when the hypothesis held and recovery met its objective; 1 otherwise. */
export function exitCodeFor(journal: Journal): 0 | 1 {
  return journal.status === 'completed' && !journal.deviated ? 0 : 1;
}
