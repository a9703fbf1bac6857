import type { AnsweringWitness } from '../sampling/sampler-set';
import type { Clock } from '../faults/types';
import type { EventSink } from './events';
import type { HypothesisRun } from '../../contract/journal';
import { ActivityFailedError } from '../errors';

/** Consecutive healthy samples that count as "answering again" (a quarter second at 20/s). */
export const HEALTHY_STREAK = 5;

/** How early the last poll starts before the deadline. */
const DEADLINE_MARGIN_MS = 20;

export interface RecoveryWaitOptions {
  /** Epoch ms of the first action. */
  readonly t0: number;
  /** Epoch ms after which the objective is missed: a poll still running then is stopped. */
  readonly deadline: number;
  readonly pollMs: number;
  /**
   * Checks the steady state once with `signal`, which aborts on interruption and at the deadline;
   * null when there is no hypothesis (then samples decide).
   */
  readonly check: (signal: AbortSignal) => Promise<HypothesisRun | null>;
  /** The availability sampling (null without): recovery needs its probes answering too. */
  readonly sampler: AnsweringWitness | null;
  /** A sample request hanging this long means the service is not answering yet. */
  readonly hangingMs: number;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly events: EventSink;
}

export interface RecoveryWait {
  /** Epoch ms when the poll that confirmed recovery started; null when the deadline passed first. */
  readonly recoveredAt: number | null;
  /** Epoch ms when recovery was confirmed: that poll ended with the sampled probes answering. */
  readonly confirmedAt: number | null;
  readonly polls: readonly HypothesisRun[];
  /** Epoch ms of the first poll that found the steady state broken. */
  readonly firstFailedPollAt: number | null;
}

/** Why the poll running at the deadline was stopped, as its probes' journal entries say. */
function deadlineReason(withinSeconds: number): ActivityFailedError {
  return new ActivityFailedError(`stopped at the recovery deadline, ${withinSeconds}s after the first action`);
}

/**
 * Waits until the steady state holds again and the sampled probes answer, polling until the
 * deadline. Recovery is proven, not assumed: a poll counts only when both agree. The deadline is
 * hard: a poll still running when it passes is stopped (its providers abort), so the wait ends at
 * the deadline, plus the moment the stopped poll takes to settle (see the README's guarantees).
 */
export async function waitUntilRecovered(options: RecoveryWaitOptions): Promise<RecoveryWait> {
  const polls: HypothesisRun[] = [];
  let firstFailedPollAt: number | null = null;
  const missed = (): RecoveryWait => ({ recoveredAt: null, confirmedAt: null, polls, firstFailedPollAt });
  const left = options.deadline - options.clock.now();
  // The method ran past the deadline: no poll could confirm recovery in time.
  if (left <= 0) return missed();
  const deadline = new AbortController();
  // A real timer, as the providers' own limits: the deadline is wall-clock time, like clock.now().
  const timer = setTimeout(() => deadline.abort(deadlineReason((options.deadline - options.t0) / 1000)), left);
  const signal = AbortSignal.any([options.signal, deadline.signal]);
  const cut = (): boolean => deadline.signal.aborted && !options.signal.aborted;
  try {
    for (;;) {
      const pollAt = options.clock.now();
      const result = await options.check(signal);
      if (result !== null) polls.push(result);
      // A poll cut short at the deadline found nothing about the system, only that time is up: not a failed poll.
      const cutShort = cut();
      const held = !cutShort && (result === null || result.steady_state_met);
      const answering = options.sampler === null || options.sampler.healthyStreak(HEALTHY_STREAK, options.hangingMs);
      options.events.emit({ type: 'recovery-poll', elapsedMs: pollAt - options.t0, held: held && answering });
      if (cutShort) return missed();
      // Interrupted: stop here, also when no sleep is due before the next poll.
      if (options.signal.aborted) throw options.signal.reason;
      const now = options.clock.now();
      if (held && answering) return { recoveredAt: pollAt, confirmedAt: now, polls, firstFailedPollAt };
      // The failed poll's time as its journal entry records it, so the figure and the journal agree to the ms.
      if (!held) firstFailedPollAt ??= result === null ? pollAt : Date.parse(result.at);
      const remaining = options.deadline - now;
      if (remaining <= 0) return missed();
      // The interval counts from the poll's start (a poll slower than it is followed at once), and
      // the sleep wakes a little before the deadline so that the last poll starts in time.
      const untilNext = Math.max(pollAt + options.pollMs - now, 0);
      try {
        if (untilNext > 0) await options.clock.sleep(Math.min(untilNext, Math.max(remaining - DEADLINE_MARGIN_MS, 0)), signal);
      } catch (error) {
        if (cut()) return missed();
        throw error;
      }
    }
  } finally {
    clearTimeout(timer);
  }
}
