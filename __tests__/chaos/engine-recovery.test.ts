/**
 * The engine's recovery figures against a local server that fails on one path for a known time:
 * several probes sampled at once (one per "service"), figures per probe over the fault window,
 * and a time to recover from the better witness, compared with the server's own record of when
 * it healed.
 */
import type { Journal } from '../../contract/journal';
import type { JsonObject } from '../../contract/json';
import { runDocument } from './helpers/engine-harness';
import { useLocalServer } from './helpers/local-server';

const server = useLocalServer();
const url = (path: string) => `${server().url}${path}`;
const probe = (name: string, path: string): JsonObject => ({
  type: 'probe',
  name,
  provider: { type: 'http', url: url(path), timeout: 1 },
  tolerance: 200,
});

/** The frontend answers on /, the "api" on /api/status; the action makes only /api fail for `ms`. */
function experiment(ms: number, availability: JsonObject | JsonObject[]): JsonObject {
  return {
    title: 'One service down',
    description: 'd',
    'steady-state-hypothesis': { title: 'Both answer', probes: [probe('frontend', '/'), probe('api', '/api/status')] },
    method: [{ type: 'action', name: 'api down', provider: { type: 'http', url: url(`/__fail?ms=${ms}&prefix=/api`) } }],
    recovery: { within: 5, poll: 0.2, availability },
    'rollback-strategy': 'never',
  };
}

/** When the server healed, in ms since the journal's t0. */
function healedSinceT0(journal: Journal): number {
  const healedAt = server().healedAt;
  if (healedAt === null) throw new Error('the server did not heal by itself');
  return healedAt - Date.parse(journal.recovery?.t0 ?? '');
}

describe('engine: recovery figures per sampled probe', () => {
  it('GIVEN the frontend and the api sampled at 50/s and the api down for 700 ms THEN per-probe figures, and the time to recover by the sampler within 0.3 s of the truth', async () => {
    const { journal, written } = await runDocument(
      experiment(700, [
        { probe: 'frontend', min: 100, rate: 50, timeout: 0.5 },
        { probe: 'api', rate: 50, timeout: 0.5 },
      ]),
      server().url,
    );
    expect(journal.status).toBe('completed');
    const r = journal.recovery;
    if (r === null) throw new Error('no recovery record');
    expect(r.met).toBe(true);
    const [frontend, api] = r.probes;
    expect(frontend).toMatchObject({ probe: 'frontend', rate: 50, min: 100, availability: 100, failed: 0, met: true, recoveredMs: null });
    expect(api).toMatchObject({ probe: 'api', rate: 50, min: null, met: null });
    expect(api?.failed ?? 0).toBeGreaterThanOrEqual(5);
    // Every sample is tagged with its probe; the figures count those up to the confirmation only.
    const confirmed = r.confirmedMs ?? -1;
    expect(confirmed).toBeGreaterThan(0);
    for (const p of r.probes) expect(p.total).toBe(r.samples.filter((s) => s.probe === p.probe && s.t <= confirmed).length);
    expect(new Set(r.samples.map((s) => s.probe))).toEqual(new Set(['frontend', 'api']));
    // The sampler saw the api come back: the time to recover is the first good sample of its final streak.
    expect(r.witness).toBe('sampler');
    expect(r.timeToRecoverMs).toBe(api?.recoveredMs);
    const inWindow = r.samples.filter((s) => s.probe === 'api' && s.t <= confirmed);
    const lastFailed = inWindow.filter((s) => !s.ok).at(-1)?.t ?? -1;
    expect(inWindow.find((s) => s.t > lastFailed)?.t).toBe(r.timeToRecoverMs);
    const truth = healedSinceT0(journal);
    const ttr = r.timeToRecoverMs ?? -1;
    console.log(`truth ${truth.toFixed(0)} ms, sampler ${ttr} ms, confirming poll ${r.pollRecoveredMs} ms, confirmed ${confirmed} ms`);
    expect(ttr).toBeGreaterThanOrEqual(truth - 20);
    expect(ttr - truth).toBeLessThanOrEqual(300);
    expect(ttr).toBeLessThanOrEqual(confirmed);
    // Time to detect: the first failed sample or poll, whichever came first.
    expect(r.timeToDetectMs).toBe(
      Math.min(
        api?.firstFailureMs ?? Infinity,
        ...journal.steady_states.during.filter((p) => !p.steady_state_met).map((p) => Date.parse(p.at) - Date.parse(r.t0 ?? '')),
      ),
    );
    expect(r.availability).toBe(api?.availability);
    expect(r.longestGapMs).toBe(api?.longestGapMs);
    expect(api?.longestGapMs ?? 0).toBeGreaterThanOrEqual((api?.maxConsecutiveFailures ?? 0) * 20 - 40);
    expect(written.recovery?.probes).toEqual(r.probes);
  });

  it('GIVEN only the frontend sampled (it never fails) THEN the confirming poll is the witness, with the reason', async () => {
    const { journal } = await runDocument(experiment(700, { probe: 'frontend', min: 100, rate: 20 }), server().url);
    const r = journal.recovery;
    expect(journal.status).toBe('completed');
    expect(r).toMatchObject({ witness: 'poll', samplerRecoveredMs: null, detectedBy: 'poll', availability: 100 });
    expect(r?.timeToRecoverMs).toBe(r?.pollRecoveredMs);
    expect(r?.witnessReason).toMatch(/no sampled probe failed/);
    // The confirming poll is stamped at its start, which may precede the heal by the time its request took to reach the
    // server (a loaded machine: tens of ms); its api probe can only have ended after the heal.
    const truth = healedSinceT0(journal);
    const t0 = Date.parse(r?.t0 ?? '');
    const confirming = journal.steady_states.during.find((p) => p.steady_state_met && Date.parse(p.at) - t0 === r?.pollRecoveredMs);
    const apiRun = confirming?.probes.find((p) => p.activity.name === 'api');
    expect(apiRun).toBeDefined();
    expect(Date.parse(apiRun?.end ?? '') - t0).toBeGreaterThanOrEqual(truth - 2);
    expect(r?.timeToRecoverMs ?? -1).toBeLessThanOrEqual(Date.parse(apiRun?.end ?? '') - t0);
  });

  it('GIVEN a minimum on the api that its outage breaks THEN failed, the probe named', async () => {
    const { journal } = await runDocument(
      experiment(700, [
        { probe: 'frontend', min: 100, rate: 20 },
        { probe: 'api', min: 99, rate: 20 },
      ]),
      server().url,
    );
    expect(journal.status).toBe('failed');
    expect(journal.recovery?.met).toBe(false);
    expect(journal.reasons).toEqual([expect.stringMatching(/^recovery objective missed: availability of "api" [\d.]+% is below 99%$/)]);
  });
});
