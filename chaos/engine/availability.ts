import type { AvailabilitySample, ProbeFigures } from '../../contract/journal';
import type { AvailabilityObjective } from '../model/types';

/** Percentage of `ok` out of `total`, two decimals; null without samples. */
function percentage(ok: number, total: number): number | null {
  return total === 0 ? null : Math.round((ok / total) * 10000) / 100;
}

/**
 * The figures of one probe's samples over the fault window `[0, windowEndMs]` (ms since t0; all
 * samples when the window has no end, i.e. recovery was never confirmed). `samples` are this
 * probe's, in any order.
 */
export function probeFigures(
  objective: AvailabilityObjective,
  samples: readonly AvailabilitySample[],
  windowEndMs: number | null,
): ProbeFigures {
  const inWindow = samples.filter((s) => windowEndMs === null || s.t <= windowEndMs).sort((a, b) => a.t - b.t);
  let failed = 0;
  let streak = 0;
  let longest = 0;
  let firstFailureMs: number | null = null;
  let longestGapMs: number | null = null;
  // The last healthy sample before the current failure streak (t0 when none was healthy yet).
  let lastGood = 0;
  for (const sample of inWindow) {
    if (sample.ok) {
      if (streak > 0) longestGapMs = Math.max(longestGapMs ?? 0, sample.t - lastGood);
      streak = 0;
      lastGood = sample.t;
    } else {
      failed += 1;
      streak += 1;
      longest = Math.max(longest, streak);
      firstFailureMs ??= sample.t;
    }
  }
  // A streak still failing when the window ends: the gap lasts at least until then.
  const last = inWindow[inWindow.length - 1];
  if (streak > 0 && last !== undefined) longestGapMs = Math.max(longestGapMs ?? 0, (windowEndMs ?? last.t) - lastGood);
  if (inWindow.length > 0 && failed === 0) longestGapMs = 0;
  let recoveredMs: number | null = null;
  if (failed > 0 && streak === 0) {
    // The first sample of the final healthy streak.
    let i = inWindow.length - 1;
    while (i > 0 && inWindow[i - 1]?.ok === true) i -= 1;
    recoveredMs = inWindow[i]?.t ?? null;
  }
  const availability = percentage(inWindow.length - failed, inWindow.length);
  const min = objective.min ?? null;
  return {
    probe: objective.probe,
    rate: objective.rate,
    min,
    availability,
    total: inWindow.length,
    failed,
    maxConsecutiveFailures: longest,
    longestGapMs,
    firstFailureMs,
    recoveredMs,
    met: min === null ? null : (availability ?? 0) >= min,
  };
}
