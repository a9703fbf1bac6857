import type { AvailabilitySample, ProbeFigures, RecoveryRecord, RecoveryWitness } from '../../contract/journal';
import type { RecoveryObjective } from '../model/types';
import { recoveryToJson } from '../model/to-json';
import { probeFigures } from './availability';

/** What the recovery wait found, in epoch ms (null: did not happen). */
export interface RecoveryMeasure {
  /** Whether the wait ran at all (false: the method did not complete). */
  readonly measured: boolean;
  /** Start of the steady-state poll that confirmed recovery. */
  readonly pollRecoveredAt: number | null;
  /** When recovery was confirmed: the confirming poll ended and the sampled probes answered. */
  readonly confirmedAt: number | null;
  /** Start of the first poll that found the steady state broken. */
  readonly firstFailedPollAt: number | null;
}

export const NOT_MEASURED: RecoveryMeasure = { measured: false, pollRecoveredAt: null, confirmedAt: null, firstFailedPollAt: null };

interface Witnessed {
  readonly witness: RecoveryWitness | null;
  readonly timeToRecoverMs: number | null;
  readonly reason: string;
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/**
 * Which figure is the time to recover. The sampler is the better witness when it saw the outage:
 * a sampled probe failed, and every probe that failed answered again and kept answering up to the
 * confirmation (its final healthy streak), so the start of the latest of those streaks is when the
 * system came back, to within one sample period. Otherwise (nothing sampled, or the sampled probes
 * never failed: they witnessed nothing) the confirming poll's start is, to within a poll interval.
 */
function chooseWitness(
  probes: readonly ProbeFigures[],
  samplerRecoveredMs: number | null,
  pollRecoveredMs: number | null,
  measured: boolean,
): Witnessed {
  if (!measured) return { witness: null, timeToRecoverMs: null, reason: 'not measured: the method did not complete' };
  if (pollRecoveredMs === null)
    return { witness: null, timeToRecoverMs: null, reason: 'not recovered: no poll confirmed the steady state before the deadline' };
  const failed = probes.filter((p) => p.failed > 0);
  if (samplerRecoveredMs !== null) {
    const names = failed.map((p) => `"${p.probe}"`).join(', ');
    return {
      witness: 'sampler',
      timeToRecoverMs: samplerRecoveredMs,
      reason: `the sampler saw ${names} fail and answer again from ${s(samplerRecoveredMs)} on, healthy until the poll that started at ${s(pollRecoveredMs)} confirmed the steady state`,
    };
  }
  const why =
    probes.length === 0
      ? 'no probe is sampled'
      : failed.length === 0
        ? 'no sampled probe failed, so the sampler did not see the outage'
        : `a sampled probe (${failed
            .filter((p) => p.recoveredMs === null)
            .map((p) => `"${p.probe}"`)
            .join(', ')}) had no healthy streak up to the confirmation`;
  return { witness: 'poll', timeToRecoverMs: pollRecoveredMs, reason: `the confirming poll's start: ${why}` };
}

function maxOf(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : Math.max(...present);
}

function minOf(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : Math.min(...present);
}

/**
 * The journal's recovery record: the figures of every sampled probe over the fault window (t0 to
 * the confirmed recovery; samples after it are kept in the journal but counted nowhere), time to
 * detect (first failed sample or first failed poll, whichever came first), time to recover by the
 * better witness, and whether the objective was met. `t0` and the measure are epoch ms; sample
 * `t`s are ms since t0.
 */
export function recoveryRecord(
  objective: RecoveryObjective,
  t0: number | null,
  samples: readonly AvailabilitySample[],
  measure: RecoveryMeasure,
): RecoveryRecord {
  const since = (at: number | null): number | null => (at === null || t0 === null ? null : at - t0);
  const confirmedMs = since(measure.confirmedAt);
  const pollRecoveredMs = since(measure.pollRecoveredAt);
  const probes = objective.availability.map((a) =>
    probeFigures(
      a,
      // Journals of a single probe, before samples were tagged, are read the same way.
      samples.filter((sample) => (sample.probe ?? a.probe) === a.probe),
      confirmedMs,
    ),
  );
  const failed = probes.filter((p) => p.failed > 0);
  const samplerRecoveredMs =
    confirmedMs === null || failed.length === 0 || failed.some((p) => p.recoveredMs === null)
      ? null
      : maxOf(failed.map((p) => p.recoveredMs));
  const witnessed = chooseWitness(probes, samplerRecoveredMs, pollRecoveredMs, measure.measured);
  const firstSample = minOf(probes.map((p) => p.firstFailureMs));
  const firstPoll = since(measure.firstFailedPollAt);
  const detectedBy: RecoveryWitness | null =
    firstSample === null ? (firstPoll === null ? null : 'poll') : firstPoll !== null && firstPoll < firstSample ? 'poll' : 'sampler';
  const ttr = witnessed.timeToRecoverMs;
  return {
    t0: t0 === null ? null : new Date(t0).toISOString(),
    timeToDetectMs: detectedBy === null ? null : detectedBy === 'poll' ? firstPoll : firstSample,
    detectedBy,
    timeToRecoverMs: ttr,
    witness: witnessed.witness,
    witnessReason: witnessed.reason,
    pollRecoveredMs,
    samplerRecoveredMs,
    confirmedMs,
    availability: minOf(probes.map((p) => p.availability)),
    maxConsecutiveFailures: Math.max(0, ...probes.map((p) => p.maxConsecutiveFailures)),
    longestGapMs: maxOf(probes.map((p) => p.longestGapMs)),
    probes,
    objective: recoveryToJson(objective),
    met: !measure.measured ? null : ttr !== null && ttr <= objective.within * 1000 && probes.every((p) => p.met !== false),
    samples: [...samples].sort((a, b) => a.t - b.t),
  };
}
