/**
 * The recovery figures from samples and polls, as pure functions: the fault window (t0 to the
 * confirmed recovery), figures per sampled probe, the longest gap, time to detect, and which
 * witness gives the time to recover.
 */
import { probeFigures } from '../../chaos/engine/availability';
import { NOT_MEASURED, recoveryRecord, type RecoveryMeasure } from '../../chaos/engine/recovery-figures';
import type { AvailabilityObjective, RecoveryObjective } from '../../chaos/model/types';
import type { AvailabilitySample } from '../../contract/journal';

const T0 = 1_700_000_000_000;

/** One sample every `stepMs` from 0 to `untilMs`, failed inside the `[from, to)` windows. */
function samples(probe: string | undefined, untilMs: number, failing: readonly [number, number][], stepMs = 50): AvailabilitySample[] {
  const out: AvailabilitySample[] = [];
  for (let t = 0; t <= untilMs; t += stepMs) {
    const failed = failing.some(([from, to]) => t >= from && t < to);
    out.push({ t, ok: !failed, latencyMs: 2, ...(failed ? { error: 'status 503' } : { status: 200 }), ...(probe ? { probe } : {}) });
  }
  return out;
}

const sampled = (probe: string, extra: Partial<AvailabilityObjective> = {}): AvailabilityObjective => ({
  probe,
  rate: 20,
  timeout: 2,
  ...extra,
});

const objective = (availability: readonly AvailabilityObjective[]): RecoveryObjective => ({ within: 60, poll: 0.2, availability });

/** Recovery confirmed by a poll that started at `pollMs` and ended at `confirmedMs`; first failed poll at `failedPollMs`. */
const measure = (pollMs: number | null, confirmedMs: number | null, failedPollMs: number | null = null): RecoveryMeasure => ({
  measured: true,
  pollRecoveredAt: pollMs === null ? null : T0 + pollMs,
  confirmedAt: confirmedMs === null ? null : T0 + confirmedMs,
  firstFailedPollAt: failedPollMs === null ? null : T0 + failedPollMs,
});

describe('figures of one sampled probe over the fault window', () => {
  it('GIVEN a failure streak THEN counts, longest streak, the gap between the good samples around it, and the final streak', () => {
    const f = probeFigures(sampled('api', { min: 50 }), samples('api', 1000, [[200, 500]]), 800);
    // 0..800 every 50 ms: 17 samples, 200..450 failed (6).
    expect(f).toEqual({
      probe: 'api',
      rate: 20,
      min: 50,
      availability: 64.71,
      total: 17,
      failed: 6,
      maxConsecutiveFailures: 6,
      longestGapMs: 350,
      firstFailureMs: 200,
      recoveredMs: 500,
      met: true,
    });
  });

  it('GIVEN samples after the confirmed recovery THEN they count nowhere', () => {
    const f = probeFigures(
      sampled('api'),
      samples('api', 1200, [
        [200, 300],
        [900, 1000],
      ]),
      800,
    );
    expect(f.failed).toBe(2);
    expect(f.total).toBe(17);
    expect(f.recoveredMs).toBe(300);
    expect(f.met).toBeNull();
  });

  it('GIVEN a streak from t0 THEN the gap counts from t0; one still failing at the end THEN up to the window end, no recovery', () => {
    const fromStart = probeFigures(sampled('p'), samples('p', 600, [[0, 250]]), 600);
    expect(fromStart.longestGapMs).toBe(250);
    expect(fromStart.recoveredMs).toBe(250);
    const never = probeFigures(sampled('p'), samples('p', 600, [[300, 10_000]]), null);
    expect(never.recoveredMs).toBeNull();
    expect(never.longestGapMs).toBe(600 - 250);
    expect(never.maxConsecutiveFailures).toBe(7);
  });

  it('GIVEN no failure THEN a gap of 0 and no recovery to date; no sample THEN nulls', () => {
    expect(probeFigures(sampled('p'), samples('p', 500, []), 500)).toMatchObject({ longestGapMs: 0, recoveredMs: null, availability: 100 });
    expect(probeFigures(sampled('p', { min: 90 }), [], 500)).toMatchObject({
      longestGapMs: null,
      availability: null,
      total: 0,
      met: false,
    });
  });
});

describe('the recovery record: witness, time to detect, per-probe figures', () => {
  it('GIVEN the sampler saw the api fail and come back THEN the sampler is the witness: the first good sample of the final streak', () => {
    const all = [...samples('frontend', 3000, []), ...samples('api', 3000, [[150, 800]])];
    const r = recoveryRecord(objective([sampled('frontend', { min: 100 }), sampled('api')]), T0, all, measure(2400, 2700, 200));
    expect(r.witness).toBe('sampler');
    expect(r.timeToRecoverMs).toBe(800);
    expect(r.samplerRecoveredMs).toBe(800);
    expect(r.pollRecoveredMs).toBe(2400);
    expect(r.confirmedMs).toBe(2700);
    expect(r.witnessReason).toMatch(/the sampler saw "api" fail and answer again from 0\.80 s on/);
    // Detected by the first failed sample (150 ms), before the first failed poll (200 ms).
    expect(r).toMatchObject({ timeToDetectMs: 150, detectedBy: 'sampler' });
    expect(r.probes.map((p) => [p.probe, p.availability, p.met])).toEqual([
      ['frontend', 100, true],
      ['api', expect.any(Number), null],
    ]);
    expect(r.availability).toBe(r.probes[1]?.availability);
    expect(r.maxConsecutiveFailures).toBe(13);
    expect(r.longestGapMs).toBe(800 - 100);
    expect(r.met).toBe(true);
    expect(r.objective).toEqual({
      within: 60,
      poll: 0.2,
      availability: [
        { probe: 'frontend', min: 100, rate: 20, timeout: 2 },
        { probe: 'api', rate: 20, timeout: 2 },
      ],
    });
    expect(r.samples.map((s) => s.t)).toEqual([...r.samples.map((s) => s.t)].sort((a, b) => a - b));
  });

  it('GIVEN two probes that failed THEN the later of their final streaks', () => {
    const all = [...samples('frontend', 2000, [[100, 400]]), ...samples('api', 2000, [[100, 900]])];
    const r = recoveryRecord(objective([sampled('frontend'), sampled('api')]), T0, all, measure(1000, 1200));
    expect(r).toMatchObject({ witness: 'sampler', timeToRecoverMs: 900 });
  });

  it('GIVEN no sampled probe failed THEN the confirming poll is the witness, and says why', () => {
    const r = recoveryRecord(objective([sampled('frontend', { min: 100 })]), T0, samples('frontend', 3000, []), measure(2400, 2700, 0));
    expect(r).toMatchObject({ witness: 'poll', timeToRecoverMs: 2400, samplerRecoveredMs: null, timeToDetectMs: 0, detectedBy: 'poll' });
    expect(r.witnessReason).toMatch(/no sampled probe failed, so the sampler did not see the outage/);
  });

  it('GIVEN no sampling THEN the poll; GIVEN a sampled probe that failed again at the end THEN the poll too', () => {
    expect(recoveryRecord(objective([]), T0, [], measure(1000, 1100, 10))).toMatchObject({
      witness: 'poll',
      timeToRecoverMs: 1000,
      availability: null,
      longestGapMs: null,
      probes: [],
    });
    const flapping = recoveryRecord(
      objective([sampled('api')]),
      T0,
      samples('api', 1500, [
        [100, 300],
        [1000, 2000],
      ]),
      measure(900, 1100),
    );
    expect(flapping).toMatchObject({ witness: 'poll', timeToRecoverMs: 900, samplerRecoveredMs: null });
    expect(flapping.witnessReason).toMatch(/"api"\) had no healthy streak up to the confirmation/);
  });

  it('GIVEN no confirmed recovery THEN no time to recover, every sample counted, the objective missed', () => {
    const r = recoveryRecord(objective([sampled('api', { min: 10 })]), T0, samples('api', 2000, [[100, 5000]]), measure(null, null, 50));
    expect(r).toMatchObject({ witness: null, timeToRecoverMs: null, confirmedMs: null, met: false });
    expect(r.probes[0]?.total).toBe(41);
    expect(r.witnessReason).toMatch(/not recovered/);
  });

  it('GIVEN a probe below its own minimum THEN the objective is missed although recovered in time', () => {
    const all = [...samples('frontend', 2000, []), ...samples('api', 2000, [[0, 1000]])];
    const r = recoveryRecord(objective([sampled('frontend', { min: 100 }), sampled('api', { min: 90 })]), T0, all, measure(1500, 1600));
    expect(r.probes.map((p) => p.met)).toEqual([true, false]);
    expect(r.met).toBe(false);
  });

  it('GIVEN the method did not complete THEN not measured: met null, no witness', () => {
    const r = recoveryRecord(objective([sampled('api')]), T0, samples('api', 200, [[0, 100]]), NOT_MEASURED);
    expect(r).toMatchObject({ met: null, witness: null, timeToRecoverMs: null });
  });

  it('GIVEN samples without a probe name (one probe, an older engine) THEN they are that probe’s', () => {
    const r = recoveryRecord(objective([sampled('api')]), T0, samples(undefined, 1000, [[100, 400]]), measure(600, 700));
    expect(r.probes[0]).toMatchObject({ probe: 'api', failed: 6, recoveredMs: 400 });
    expect(r.timeToRecoverMs).toBe(400);
  });
});
