import { ActivityFailedError } from '../errors';
import type { Activity } from '../model/types';

/**
 * An activity's time limit. Its signal aborts when the run's does (interruption, the recovery
 * deadline) or when the timeout passes; every provider stops its work when it aborts (the process
 * group is killed, the SSH connection and the HTTP socket destroyed, the AWS request aborted).
 */

/**
 * How long an activity may take to settle once its signal aborted before the engine stops waiting
 * for it: above the 2 s a process group gets between SIGTERM and SIGKILL, so only a driver that
 * ignores its signal (a bug) is ever abandoned.
 */
export const ABANDON_AFTER_MS = 5000;

/** Seconds the activity may run: its provider's `timeout` (an HTTP pair counts whole), else the experiment's default. */
export function activityTimeoutSeconds(activity: Activity, experimentDefault: number): number {
  const timeout = activity.provider.timeout;
  if (timeout === undefined) return experimentDefault;
  return typeof timeout === 'number' ? timeout : timeout[0] + timeout[1];
}

/** A driver that did not stop when told: not the system's doing, so it aborts the run. */
export class ActivityAbandonedError extends Error {
  constructor(name: string, why: string) {
    super(`"${name}" did not stop within ${ABANDON_AFTER_MS / 1000}s of being stopped (${why}); abandoned`);
    this.name = 'ActivityAbandonedError';
  }
}

/** The error a timed-out activity fails with. */
export function timedOutError(seconds: number): ActivityFailedError {
  return new ActivityFailedError(`timed out after ${seconds}s`);
}

/** What the work returned, and the timeout error when it came back only after its timeout fired. */
export interface Limited<T> {
  readonly value: T;
  readonly late: ActivityFailedError | null;
}

/**
 * Runs `work` with a signal that aborts when `outer` does (interruption, the recovery deadline) or
 * after `seconds`. Rejects with `timed out after Ns` when the timeout stopped it, with what it threw
 * when `outer` did, and with `ActivityAbandonedError` when it has not settled
 * {@link ABANDON_AFTER_MS} after its signal aborted (it ignores its signal: a driver bug).
 */
export function runWithinLimit<T>(
  name: string,
  seconds: number,
  outer: AbortSignal,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<Limited<T>> {
  const timeout = new AbortController();
  // Our own timer rather than AbortSignal.timeout: its reason names the limit, and it is cleared.
  const timer = setTimeout(() => timeout.abort(timedOutError(seconds)), seconds * 1000);
  const signal = AbortSignal.any([outer, timeout.signal]);
  const timedOut = (): boolean => timeout.signal.aborted && !outer.aborted;
  let abandon: NodeJS.Timeout | null = null;
  return new Promise<Limited<T>>((resolve, reject) => {
    const onAbort = (): void => {
      const why = timedOut() ? `timed out after ${seconds}s` : 'the run stopped it';
      abandon = setTimeout(() => {
        clearTimeout(timer);
        reject(new ActivityAbandonedError(name, why));
      }, ABANDON_AFTER_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const done = (): void => {
      clearTimeout(timer);
      if (abandon) clearTimeout(abandon);
      signal.removeEventListener('abort', onAbort);
    };
    // A synchronous throw is a rejection like any other, and the timers are cleared all the same.
    Promise.resolve()
      .then(() => work(signal))
      .then(
        (value) => {
          done();
          resolve({ value, late: timedOut() ? timedOutError(seconds) : null });
        },
        (error: unknown) => {
          done();
          reject(timedOut() ? timedOutError(seconds) : error);
        },
      );
  });
}
