import type { AvailabilitySample } from '../../../contract/journal';
import type { ServiceName } from '../../../contract/services';
import { activityIn, longestFailureRun, objectiveOf, outputs, probeIn, type Journal } from './journal';

/**
 * What the journals of the shipped stop-* experiments must show, as jest expectations. Each
 * experiment is one row of a table: the service it stops, how (SSH `docker stop` or the
 * orchestrator's stop), the probe that must stay available and the outcome it expects.
 */
export interface StopExperiment {
  readonly file: string;
  readonly service: ServiceName;
  readonly via: 'ssh' | 'orchestrator';
  /**
   * The sampled probe of the other service, which must stay at 100 % (`stays-available`); every
   * shipped experiment samples both paths through the proxy.
   */
  readonly sampled: string;
  /**
   * `stays-available`: the sampled service (another one) answers through the proxy throughout;
   * `all-available`: the stopped service runs as two copies, so its own path stays at 100 % too
   * (the proxy retries on the other copy), not one failed sample on either path;
   * `site-down`: the proxy is the way in, so the site is unreachable until it is back.
   */
  readonly outcome: 'stays-available' | 'all-available' | 'site-down';
}

/**
 * The first good sample of the final healthy streak of a probe's samples (in time order), or null
 * when the probe never failed or was failing at the end.
 */
export function finalStreakStart(samples: readonly AvailabilitySample[]): number | null {
  const lastFailed = samples.reduce((at, s, i) => (s.ok ? at : i), -1);
  if (lastFailed === -1) return null;
  return samples[lastFailed + 1]?.t ?? null;
}

/** The recovery figures are there and agree with each other and with the samples. */
export function expectPlausibleRecovery(journal: Journal): void {
  const recovery = journal.recovery;
  expect(recovery).not.toBeNull();
  if (recovery === null) return;
  expect(recovery.met).toBe(true);
  const t0 = Date.parse(recovery.t0 ?? '');
  expect(t0).toBeGreaterThanOrEqual(Date.parse(journal.start));
  expect(t0).toBeLessThanOrEqual(Date.parse(journal.end));
  // Detected (a failed poll or sample) before recovered; recovered in seconds, inside the deadline.
  expect(recovery.timeToDetectMs).toEqual(expect.any(Number));
  expect(recovery.timeToRecoverMs).toEqual(expect.any(Number));
  const ttd = recovery.timeToDetectMs ?? -1;
  const ttr = recovery.timeToRecoverMs ?? -1;
  expect(ttd).toBeGreaterThanOrEqual(0);
  expect(ttd).toBeLessThanOrEqual(ttr);
  expect(ttr).toBeGreaterThan(0);
  expect(ttr).toBeLessThan(Math.min(30_000, (objectiveOf(journal)?.within ?? 60) * 1000));
  // The fault window ends at the confirmed recovery, after the recovery itself.
  const windowEnd = recovery.confirmedMs ?? -1;
  expect(windowEnd).toBeGreaterThanOrEqual(ttr);
  const times = recovery.samples.map((s) => s.t);
  expect(times).toEqual([...times].sort((a, b) => a - b));
  const sampled = objectiveOf(journal)?.availability ?? [];
  expect(sampled.length).toBeGreaterThan(0);
  expect(recovery.probes.map((p) => p.probe)).toEqual(sampled.map((a) => a.probe));
  const streakStarts: number[] = [];
  for (const objective of sampled) {
    const figures = recovery.probes.find((p) => p.probe === objective.probe);
    const mine = recovery.samples.filter((s) => s.probe === objective.probe && s.t <= windowEnd);
    // Samples at the objective's rate (at least a quarter of it on a loaded 2-core machine) from t0.
    expect(objective.rate).toBeGreaterThan(0);
    expect(mine.length).toBeGreaterThanOrEqual(Math.floor((objective.rate * ttr) / 4000));
    expect(mine.length).toBeGreaterThan(10);
    // The probe's figures are its samples' own, over the fault window only.
    const ok = mine.filter((s) => s.ok).length;
    expect(figures?.total).toBe(mine.length);
    expect(figures?.failed).toBe(mine.length - ok);
    expect(figures?.availability).toBeCloseTo((100 * ok) / mine.length, 1);
    expect(figures?.maxConsecutiveFailures).toBe(longestFailureRun(mine));
    const start = finalStreakStart(mine);
    expect(figures?.recoveredMs).toBe(start);
    if (start !== null) streakStarts.push(start);
  }
  expect(recovery.availability).toBe(Math.min(...recovery.probes.map((p) => p.availability ?? 0)));
  expect(recovery.maxConsecutiveFailures).toBe(Math.max(...recovery.probes.map((p) => p.maxConsecutiveFailures)));
  // The time to recover agrees with the samples: the first good sample of the final healthy streak
  // of the probes that failed (the latest of them), within 0.3 s. When no sampled probe failed,
  // the sampler saw nothing to recover from and the confirming poll is the witness.
  if (streakStarts.length > 0) {
    const fromSamples = Math.max(...streakStarts);
    expect(recovery.witness).toBe('sampler');
    expect(Math.abs(ttr - fromSamples)).toBeLessThanOrEqual(300);
  } else {
    expect(recovery.witness).toBe('poll');
    expect(ttr).toBe(recovery.pollRecoveredMs);
  }
}

/** One line of the recovery figures, for the test log (compare with `npm run bench:rehearsal`). */
export function recoveryLine(journal: Journal): string {
  const r = journal.recovery;
  if (r === null) return 'no recovery record';
  const s = (ms: number | null): string => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
  const probes = r.probes.map((p) => `${p.probe} ${p.availability ?? 'n/a'} % (gap ${s(p.longestGapMs)})`).join(', ');
  return `ttd ${s(r.timeToDetectMs)} (${r.detectedBy ?? 'n/a'}), ttr ${s(r.timeToRecoverMs)} by the ${r.witness ?? 'n/a'} (sampler ${s(r.samplerRecoveredMs)}, poll ${s(r.pollRecoveredMs)}, confirmed ${s(r.confirmedMs)}); ${probes}`;
}

/** A new task (and for SSH a new container, for the api a new process) replaced the stopped one. */
export function expectNewIdentity(journal: Journal, experiment: StopExperiment): void {
  const { service } = experiment;
  const stable = `${service}-runs-as-desired`;
  const before = outputs.stable.parse(probeIn(journal.steady_states.before, stable).output);
  const after = outputs.stable.parse(probeIn(journal.steady_states.after, stable).output);
  expect(before.runningTasks).toHaveLength(1);
  expect(after.runningTasks).toHaveLength(1);
  expect(after.runningTasks).not.toContain(before.runningTasks[0]);

  const fault = journal.run[0];
  expect(fault?.activity.type).toBe('action');
  expect(fault?.status).toBe('succeeded');
  const stopped = outputs.stop.parse(fault?.output);
  if (experiment.via === 'orchestrator') {
    expect(stopped.stoppedTask).toBe(before.runningTasks[0]);
    expect(after.newTask).toBe(after.runningTasks[0]);
  } else {
    const container = stopped.stoppedContainer ?? '';
    expect(container).toMatch(/^[0-9a-f]{12,64}$/);
    const running = outputs.containerRunning.parse(probeIn(journal.steady_states.after, `${service}-container-running`).output);
    expect(running.replaced).toBe(true);
    expect(running.containers).toHaveLength(1);
    const [now] = running.containers;
    expect(now?.id.slice(0, 12)).not.toBe(container.slice(0, 12));
  }
  if (service === 'api') {
    const oldInstance = outputs.directGet.parse(probeIn(journal.steady_states.before, 'api-is-a-new-instance').output).instance;
    const newInstance = outputs.directGet.parse(probeIn(journal.steady_states.after, 'api-is-a-new-instance').output);
    expect(newInstance.newInstance).toBe(true);
    expect(newInstance.instance).toEqual(expect.any(String));
    expect(newInstance.instance).not.toBe(oldInstance);
  }
}

/**
 * Stopping the api or the frontend leaves the other one 100 % available through the proxy, while
 * the stopped one's own path fails until its replacement answers (the sampler sees the outage).
 */
function expectOthersAvailable(journal: Journal, experiment: StopExperiment): void {
  const probes = journal.recovery?.probes ?? [];
  const other = probes.find((p) => p.probe === experiment.sampled);
  expect(other).toMatchObject({ min: 100, availability: 100, maxConsecutiveFailures: 0, failed: 0, met: true });
  const own = probes.filter((p) => p.probe !== experiment.sampled);
  expect(own).toHaveLength(1);
  expect(own[0]?.failed ?? 0).toBeGreaterThan(0);
  expect(own[0]?.min).toBeNull();
}

/**
 * Stopping one copy of the api or the frontend fails nothing through the proxy: every sampled
 * path at 100 %, no failed sample, no failure streak, each objective (min 100) met.
 */
export function expectAllAvailable(journal: Journal): void {
  const probes = journal.recovery?.probes ?? [];
  expect(probes.length).toBeGreaterThan(1);
  for (const probe of probes) {
    expect(probe).toMatchObject({ min: 100, availability: 100, maxConsecutiveFailures: 0, failed: 0, met: true });
  }
  expect(journal.recovery?.availability).toBe(100);
  expect(journal.recovery?.maxConsecutiveFailures).toBe(0);
}

/**
 * Stopping the proxy makes the site unreachable (failed samples, a broken steady state while
 * recovering) while the api and the frontend keep running and answer on their own ports.
 */
function expectSiteDownOthersRunning(journal: Journal): void {
  const recovery = journal.recovery;
  expect(recovery?.availability).toBeLessThan(100);
  expect(recovery?.maxConsecutiveFailures).toBeGreaterThan(0);
  // Both paths through the proxy were down.
  expect(recovery?.probes.map((p) => p.failed > 0)).toEqual([true, true]);
  for (const direct of ['api-answers-directly', 'frontend-answers-directly']) {
    const probe = activityIn(journal.run, direct);
    expect(probe.status).toBe('succeeded');
    expect(outputs.directGet.parse(probe.output).status).toBe(200);
  }
  const during = journal.steady_states.during;
  expect(during.some((poll) => poll.steady_state_met === false)).toBe(true);
  // Every look at the api and the frontend while the proxy was away found them running as desired.
  for (const name of ['api-runs-as-desired', 'frontend-runs-as-desired']) {
    const looks = during.flatMap((poll) => poll.probes.filter((p) => p.activity.name === name));
    expect(looks.length).toBeGreaterThan(0);
    expect(looks.map((p) => p.tolerance_met)).toEqual(looks.map(() => true));
  }
  // ...and it came back: the site answers through the proxy after.
  expect(probeIn(journal.steady_states.after, 'frontend-through-proxy').tolerance_met).toBe(true);
  expect(probeIn(journal.steady_states.after, 'api-through-proxy').tolerance_met).toBe(true);
}

/** The outcome the experiment's description promises. */
export function expectOutcome(journal: Journal, experiment: StopExperiment): void {
  switch (experiment.outcome) {
    case 'stays-available':
      expectOthersAvailable(journal, experiment);
      return;
    case 'all-available':
      expectAllAvailable(journal);
      return;
    case 'site-down':
      expectSiteDownOthersRunning(journal);
      return;
  }
}
