import type { ActivityRun, HypothesisRun, Journal, RecoveryRecord } from '../../../contract/journal';
import { readableJournalSchema, type ReadableJournal } from '../../../contract/journal';

/**
 * Hand-made journals, typed as the engine's `Journal` so that they keep its shape: one per status the
 * engine ends a run with, each the way the engine leaves it (which parts exist, which are null).
 */

const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();

function probe(name: string, ok: boolean, startMs: number): ActivityRun {
  return {
    activity: { type: 'probe', name, provider: { type: 'http', url: 'http://127.0.0.1:8080/api/healthz' }, tolerance: 200 },
    status: 'succeeded',
    output: { status: ok ? 200 : 503, headers: { 'content-type': 'text/plain' }, body: ok ? 'ok' : 'unavailable' },
    start: at(startMs),
    end: at(startMs + 12),
    duration: 0.012,
    tolerance_met: ok,
  };
}

function check(ok: boolean, startMs: number): HypothesisRun {
  return { steady_state_met: ok, probes: [probe('api-health', ok, startMs)], at: at(startMs) };
}

function action(name: string, startMs: number, failed?: string): ActivityRun {
  return {
    activity: { type: 'action', name, provider: { type: 'fault', id: 'ssh:docker-stop', arguments: { service: 'api' } } },
    status: failed === undefined ? 'succeeded' : 'failed',
    output: failed === undefined ? { container: 'platform_api.1.x7', stopped: true, stdout: 'platform_api.1.x7\n' } : null,
    start: at(startMs),
    end: at(startMs + 350),
    duration: 0.35,
    ...(failed === undefined ? {} : { exception: [failed] }),
  };
}

/** 20 samples a second from t0: healthy, failing from `failFrom` to `failTo` (ms), healthy again. */
export function samplesFor(count: number, failFrom: number, failTo: number): RecoveryRecord['samples'] {
  return Array.from({ length: count }, (_, i) => {
    const t = i * 50;
    if (t >= failFrom && t < failTo)
      return t < failFrom + 500
        ? { t, ok: false, latencyMs: 2000, error: 'no response within 2000 ms' }
        : { t, ok: false, status: 502, latencyMs: 3.5 };
    return { t, ok: true, status: 200, latencyMs: 12 + (i % 7) };
  });
}

const OBJECTIVE = { within: 60, poll: 1, availability: { min: 80, probe: 'api-health', rate: 20, timeout: 2 } };

/** The recovery record of these samples, its figures computed as the engine defines them. */
function recovery(samples: RecoveryRecord['samples'], timeToRecoverMs: number | null, met: boolean | null): RecoveryRecord {
  let streak = 0;
  let maxConsecutiveFailures = 0;
  for (const s of samples) {
    streak = s.ok ? 0 : streak + 1;
    maxConsecutiveFailures = Math.max(maxConsecutiveFailures, streak);
  }
  const ok = samples.filter((s) => s.ok).length;
  const timeToDetectMs = samples.find((s) => !s.ok)?.t ?? null;
  const availability = samples.length === 0 ? null : Math.round((ok / samples.length) * 10_000) / 100;
  const probe = {
    probe: 'api-health',
    rate: 20,
    min: 80,
    availability,
    total: samples.length,
    failed: samples.length - ok,
    maxConsecutiveFailures,
    longestGapMs: null,
    firstFailureMs: timeToDetectMs,
    recoveredMs: null,
    met: availability === null ? null : availability >= 80,
  };
  return {
    t0: at(0),
    timeToDetectMs,
    detectedBy: timeToDetectMs === null ? null : 'sampler',
    timeToRecoverMs,
    witness: timeToRecoverMs === null ? null : 'poll',
    witnessReason: timeToRecoverMs === null ? 'not recovered' : "the confirming poll's start",
    pollRecoveredMs: timeToRecoverMs,
    samplerRecoveredMs: null,
    confirmedMs: timeToRecoverMs,
    availability,
    maxConsecutiveFailures,
    longestGapMs: null,
    probes: [probe],
    objective: OBJECTIVE,
    met,
    samples,
  };
}

function base(overrides: Partial<Journal>): Journal {
  return {
    'chaos-engine': 'ecs-chaos-platform 0.1.0',
    platform: 'linux x64',
    node: 'v20.20.2',
    experiment: {
      title: 'The API comes back after its container is stopped',
      description: 'docker stop on the API container; the restart policy brings it back.',
      tags: ['rehearsal'],
      'steady-state-hypothesis': { title: 'The API answers through the proxy' },
      method: [{ type: 'action', name: 'stop-api-container' }],
      recovery: OBJECTIVE,
    },
    experiment_file: 'chaos/experiments/stop-api-container.yaml',
    outputs: { file: '.rehearsal/outputs.json', format: 'plain', stack: null, target: 'local', environment: 'rehearsal' },
    adapters: { target: 'local', orchestrator: 'swarm', host: 'ssh', aws: null, dockerHost: null },
    start: at(-1000),
    end: at(9000),
    duration: 10,
    status: 'completed',
    deviated: false,
    reasons: [],
    steady_states: {
      before: check(true, -1000),
      during: [check(false, 1000), check(false, 2000), check(true, 3000)],
      after: check(true, 8000),
    },
    run: [action('stop-api-container', 0)],
    rollbacks: [],
    rollback_strategy: 'always',
    rollbacks_skipped: null,
    recovery: recovery(samplesFor(61, 400, 1000), 3000, true),
    ...overrides,
  };
}

export type EngineStatusCase = 'completed' | 'deviated' | 'failed' | 'aborted' | 'interrupted';

/** One journal per way a run ends. */
export const HAND_MADE: Readonly<Record<EngineStatusCase, Journal>> = {
  completed: base({}),
  deviated: base({
    status: 'failed',
    deviated: true,
    reasons: [
      'steady state deviated after the method: probe "api-health" is outside its tolerance',
      'recovery objective missed: not recovered within 60 s',
    ],
    steady_states: { before: check(true, -1000), during: [check(false, 1000), check(false, 2000)], after: check(false, 61000) },
    recovery: recovery(samplesFor(1200, 400, 60000), null, false),
  }),
  failed: base({
    status: 'failed',
    reasons: ['steady state not met before the method, so no fault was injected: probe "api-health" is outside its tolerance'],
    steady_states: { before: check(false, -1000), during: [], after: null },
    run: [],
    rollbacks_skipped: 'no activity of the method ran, so there is nothing to roll back',
    recovery: {
      t0: null,
      timeToDetectMs: null,
      detectedBy: null,
      timeToRecoverMs: null,
      witness: null,
      witnessReason: 'not measured: the method did not complete',
      pollRecoveredMs: null,
      samplerRecoveredMs: null,
      confirmedMs: null,
      availability: null,
      maxConsecutiveFailures: 0,
      longestGapMs: null,
      probes: [],
      objective: OBJECTIVE,
      met: null,
      samples: [],
    },
  }),
  aborted: base({
    status: 'aborted',
    reasons: ["aborted: TypeError: Cannot read properties of undefined (reading 'exec')"],
    steady_states: { before: check(true, -1000), during: [], after: null },
    run: [action('stop-api-container', 0, "TypeError: Cannot read properties of undefined (reading 'exec')")],
    recovery: null,
    rollbacks: [action('start-api-container', 500)],
  }),
  interrupted: base({
    status: 'interrupted',
    reasons: ['interrupted by SIGINT'],
    steady_states: { before: check(true, -1000), during: [check(false, 1000)], after: null },
    recovery: recovery(samplesFor(32, 400, 5000), null, null),
  }),
};

/** What every journal string could hold: markup from process output, quotes, an ampersand. */
export const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)> & 'quoted' </pre></details>`;

/** A journal with hostile strings wherever a journal holds text. */
export function hostileJournal(): Journal {
  const j = HAND_MADE.aborted;
  const run = j.run[0];
  if (run === undefined) throw new Error('fixture has a method run');
  return {
    ...j,
    experiment: {
      ...j.experiment,
      title: `Title ${HOSTILE}`,
      description: `Description ${HOSTILE}`,
      tags: [HOSTILE],
      method: [{ type: 'action', name: HOSTILE }],
    },
    experiment_file: `file ${HOSTILE}`,
    reasons: [`reason ${HOSTILE}`, `second ${HOSTILE}`],
    run: [
      {
        ...run,
        activity: { ...run.activity, name: `name ${HOSTILE}` },
        output: { stdout: `stdout ${HOSTILE}` },
        exception: [`exception ${HOSTILE}`],
      },
    ],
    rollbacks_skipped: `skipped ${HOSTILE}`,
    outputs: { target: HOSTILE, environment: HOSTILE },
  };
}

/** A journal as the report reads it (through the same schema as `chaos report`). */
export function asReport(journal: Journal): ReadableJournal {
  return readableJournalSchema.parse(JSON.parse(JSON.stringify(journal)));
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * One run of the same experiment `day` days later: failing from 0.4 s to `failToMs`, recovered after
 * `timeToRecoverMs` (null: not recovered, the run failed its objective).
 */
export function trendRun(day: number, failToMs: number, timeToRecoverMs: number | null): Journal {
  const shift = (iso: string) => new Date(Date.parse(iso) + day * DAY_MS).toISOString();
  const j = base({
    recovery: recovery(samplesFor(61, 400, failToMs), timeToRecoverMs, timeToRecoverMs !== null),
    ...(timeToRecoverMs === null
      ? { status: 'failed' as const, reasons: ['recovery objective missed: not recovered within 60s of the first action'] }
      : {}),
  });
  const r = j.recovery;
  return { ...j, start: shift(j.start), end: shift(j.end), recovery: r === null ? null : { ...r, t0: r.t0 === null ? null : shift(r.t0) } };
}

/** Six runs of one experiment over six days, given out of order: the trend must sort them by start. */
export const TREND_RUNS: readonly Journal[] = [
  trendRun(2, 1000, 3500),
  trendRun(0, 900, 3000),
  trendRun(1, 950, 3200),
  trendRun(3, 3000, null),
  trendRun(4, 800, 2800),
  trendRun(5, 700, 2500),
];
