import type { HypothesisRun } from '../../contract/journal';
import type { Hypothesis } from '../model/types';
import type { ActivityEnvironment } from './activity';
import { checkHypothesis, whyNotMet } from './hypothesis';

/**
 * When the steady-state hypothesis is checked, as chaostoolkit's `--hypothesis-strategy`:
 * `default` before and after the method; `before-method-only`; `after-method-only`;
 * `during-method` every `frequency` seconds while the method runs (and not before or after);
 * `continuously` before, during and after.
 */
export const HYPOTHESIS_STRATEGIES = ['default', 'before-method-only', 'after-method-only', 'during-method', 'continuously'] as const;
export type HypothesisStrategy = (typeof HYPOTHESIS_STRATEGIES)[number];

/** chaostoolkit's own spellings of two of them (its CLI's choices). */
export const HYPOTHESIS_STRATEGY_ALIASES: Readonly<Record<string, HypothesisStrategy>> = {
  'during-method-only': 'during-method',
  continously: 'continuously',
};

export interface HypothesisSchedule {
  readonly strategy: HypothesisStrategy;
  /** Seconds between the end of one check during the method and the start of the next. */
  readonly frequencySeconds: number;
  /** During the method: the first check not met fails the run and stops the method after its current activity. */
  readonly failFast: boolean;
}

export const DEFAULT_HYPOTHESIS_SCHEDULE: HypothesisSchedule = { strategy: 'default', frequencySeconds: 1, failFast: false };

export const checksBefore = (s: HypothesisStrategy): boolean => s === 'default' || s === 'before-method-only' || s === 'continuously';
export const checksAfter = (s: HypothesisStrategy): boolean => s === 'default' || s === 'after-method-only' || s === 'continuously';
export const checksDuring = (s: HypothesisStrategy): boolean => s === 'during-method' || s === 'continuously';

export interface DuringOutcome {
  readonly runs: readonly HypothesisRun[];
  /** The first check not met, when fail-fast stopped on it. */
  readonly failedFast: string | null;
  readonly abortWith: Error | null;
}

/**
 * Checks the hypothesis while the method runs, until `stop` aborts (the method ended) or, with
 * fail-fast, the first check not met (then `onFailFast` stops the method). As chaostoolkit, a check
 * not met without fail-fast is a warning only: the verdict is the steady state after.
 */
export async function checkDuringMethod(
  hypothesis: Hypothesis,
  schedule: HypothesisSchedule,
  env: ActivityEnvironment,
  stop: AbortSignal,
  onFailFast: (reason: string) => void,
): Promise<DuringOutcome> {
  const runs: HypothesisRun[] = [];
  let iteration = 0;
  while (!stop.aborted) {
    iteration += 1;
    const check = await checkHypothesis(hypothesis, 'hypothesis-during', env, stop);
    if (stop.aborted) break;
    runs.push(check.result);
    if (check.abortWith) return { runs, failedFast: null, abortWith: check.abortWith };
    if (!check.result.steady_state_met) {
      const why = `steady state not met during the method (check ${iteration}): ${whyNotMet(check.result)}`;
      if (schedule.failFast) {
        onFailFast(why);
        return { runs, failedFast: why, abortWith: null };
      }
      env.events.emit({ type: 'log', level: 'warn', message: `${why}; without --fail-fast the run goes on` });
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, schedule.frequencySeconds * 1000);
      function done(): void {
        clearTimeout(timer);
        stop.removeEventListener('abort', done);
        resolve();
      }
      stop.addEventListener('abort', done, { once: true });
    });
  }
  return { runs, failedFast: null, abortWith: null };
}
