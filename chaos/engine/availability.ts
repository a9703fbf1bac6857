import type { AvailabilitySample } from '../../contract/journal';

/** Figures over a run of availability samples. */
export interface AvailabilityFigures {
  /** Percentage of healthy samples, two decimals; null without samples. */
  readonly availability: number | null;
  readonly maxConsecutiveFailures: number;
  /** `t` of the first failed sample; null when none failed. */
  readonly firstFailureT: number | null;
  readonly total: number;
  readonly failed: number;
}

export function availabilityFigures(samples: readonly AvailabilitySample[]): AvailabilityFigures {
  let failed = 0;
  let streak = 0;
  let longest = 0;
  let firstFailureT: number | null = null;
  for (const sample of samples) {
    if (sample.ok) {
      streak = 0;
    } else {
      failed += 1;
      streak += 1;
      longest = Math.max(longest, streak);
      firstFailureT ??= sample.t;
    }
  }
  const availability = samples.length === 0 ? null : Math.round(((samples.length - failed) / samples.length) * 10000) / 100;
  return { availability, maxConsecutiveFailures: longest, firstFailureT, total: samples.length, failed };
}
