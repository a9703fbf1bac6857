import type { ServiceName } from '../../../contract/services';
import { activityIn, longestFailureRun, objectiveOf, outputs, probeIn, type Journal } from './journal';

/**
 * What the journals of the shipped stop-* experiments must show, as jest expectations. Each
 * experiment is one row of a table: the service it stops, how (SSH `docker stop` or the
 * orchestrator's stop), the probe it samples for availability and the outcome it expects.
 */
export interface StopExperiment {
  readonly file: string;
  readonly service: ServiceName;
  readonly via: 'ssh' | 'orchestrator';
  /** The availability probe of its recovery objective. */
  readonly sampled: string;
  /**
   * `stays-available`: the sampled service (another one) answers through the proxy throughout;
   * `site-down`: the proxy is the way in, so the site is unreachable until it is back.
   */
  readonly outcome: 'stays-available' | 'site-down';
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
  // Samples at the objective's rate (at least a quarter of it on a loaded 2-core machine) from t0.
  const rate = objectiveOf(journal)?.availability?.rate ?? 0;
  expect(rate).toBeGreaterThan(0);
  expect(recovery.samples.length).toBeGreaterThanOrEqual(Math.floor((rate * ttr) / 4000));
  expect(recovery.samples.length).toBeGreaterThan(10);
  const times = recovery.samples.map((s) => s.t);
  expect(times).toEqual([...times].sort((a, b) => a - b));
  // The headline figures are the samples' own.
  const ok = recovery.samples.filter((s) => s.ok).length;
  expect(recovery.availability).toBeCloseTo((100 * ok) / recovery.samples.length, 1);
  expect(recovery.maxConsecutiveFailures).toBe(longestFailureRun(recovery.samples));
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

/** Stopping the api or the frontend leaves the other one 100 % available through the proxy. */
function expectOthersAvailable(journal: Journal, experiment: StopExperiment): void {
  expect(objectiveOf(journal)?.availability?.probe).toBe(experiment.sampled);
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
    case 'site-down':
      expectSiteDownOthersRunning(journal);
      return;
  }
}
