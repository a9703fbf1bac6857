import type { AvailabilitySampler } from '../sampling/availability-sampler';
import type { Clock } from '../faults/types';
import type { EventSink } from './events';
import type { HypothesisRun } from '../../contract/journal';

/** Consecutive healthy samples that count as "answering again" (a quarter second at 20/s). */
export const HEALTHY_STREAK = 5;

/** How early the last poll starts before the deadline. */
const DEADLINE_MARGIN_MS = 20;

export interface RecoveryWaitOptions {
  /** Epoch ms of the first action. */
  readonly t0: number;
  /** Epoch ms after which the objective is missed. */
  readonly deadline: number;
  readonly pollMs: number;
  /** Checks the steady state once; null when there is no hypothesis (then samples decide). */
  readonly check: () => Promise<HypothesisRun | null>;
  readonly sampler: AvailabilitySampler | null;
  /** A sample request hanging this long means the service is not answering yet. */
  readonly hangingMs: number;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly events: EventSink;
}

export interface RecoveryWait {
  /** Epoch ms when the poll that confirmed recovery started; null when the deadline passed first. */
  readonly recoveredAt: number | null;
  readonly polls: readonly HypothesisRun[];
  /** Epoch ms of the first poll that found the steady state broken. */
  readonly firstFailedPollAt: number | null;
}

/**
 * Waits until the steady state holds again and the sampled probe answers, polling until the
 * deadline. Recovery is proven, not assumed: a poll counts only when both agree.
 */
export async function waitUntilRecovered(options: RecoveryWaitOptions): Promise<RecoveryWait> {
  const polls: HypothesisRun[] = [];
  let firstFailedPollAt: number | null = null;
  for (;;) {
    const pollAt = options.clock.now();
    const result = await options.check();
    if (result !== null) polls.push(result);
    const held = result === null || result.steady_state_met;
    const answering = options.sampler === null || options.sampler.healthyStreak(HEALTHY_STREAK, options.hangingMs);
    options.events.emit({ type: 'recovery-poll', elapsedMs: pollAt - options.t0, held: held && answering });
    // The caller judges the time: a poll started just after the deadline still records when it held.
    if (held && answering) return { recoveredAt: pollAt, polls, firstFailedPollAt };
    if (!held) firstFailedPollAt ??= pollAt;
    const remaining = options.deadline - options.clock.now();
    if (remaining <= 0) return { recoveredAt: null, polls, firstFailedPollAt };
    // Wake a little before the deadline so that the last poll starts in time.
    await options.clock.sleep(Math.min(options.pollMs, Math.max(remaining - DEADLINE_MARGIN_MS, 0)), options.signal);
  }
}
