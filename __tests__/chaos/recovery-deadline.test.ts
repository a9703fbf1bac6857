/**
 * `recovery.within` is a hard deadline: a poll still running when it passes is stopped, and the
 * wait ends there (plus the documented slack), the run failed as "recovery objective missed".
 */
import { join } from 'node:path';
import { ABANDON_AFTER_MS } from '../../chaos/engine/activity-limit';
import { systemClock } from '../../chaos/engine/clock';
import { waitUntilRecovered, type RecoveryWaitOptions } from '../../chaos/engine/recovery';
import type { HypothesisRun } from '../../contract/journal';
import type { JsonObject } from '../../contract/json';
import { runDocument } from './helpers/engine-harness';
import { alive, pidIn } from './helpers/processes';

/** The slack the README promises: the stopped poll settles, at worst abandoned after this. */
const SLACK_MS = ABANDON_AFTER_MS;

function options(deadlineInMs: number, check: RecoveryWaitOptions['check']): RecoveryWaitOptions {
  const t0 = Date.now();
  return {
    t0,
    deadline: t0 + deadlineInMs,
    pollMs: 200,
    check,
    sampler: null,
    hangingMs: 500,
    clock: systemClock,
    signal: new AbortController().signal,
    events: { emit: () => undefined },
  };
}

/** A poll that hangs until its signal aborts, then reports the steady state not met (as checkHypothesis does). */
function hangingPoll(seen: unknown[]): RecoveryWaitOptions['check'] {
  return (signal) =>
    new Promise<HypothesisRun>((resolve) => {
      signal.addEventListener('abort', () => {
        seen.push(signal.reason);
        resolve({ steady_state_met: false, probes: [], at: new Date().toISOString() });
      });
    });
}

describe('the recovery wait', () => {
  it('GIVEN a poll that hangs THEN it is stopped at the deadline and the wait ends there, not recovered', async () => {
    const reasons: unknown[] = [];
    const o = options(1000, hangingPoll(reasons));
    const wait = await waitUntilRecovered(o);
    const ended = Date.now();
    expect(wait.recoveredAt).toBeNull();
    expect(wait.polls).toHaveLength(1);
    // Cut short by the clock, the poll found nothing about the system: it is not a failed poll.
    expect(wait.firstFailedPollAt).toBeNull();
    expect(ended).toBeGreaterThanOrEqual(o.deadline - 5);
    expect(ended).toBeLessThan(o.deadline + SLACK_MS);
    expect(String(reasons[0])).toBe('ActivityFailedError: stopped at the recovery deadline, 1s after the first action');
  });

  it('GIVEN the method ran past the deadline THEN no poll is started', async () => {
    const o = { ...options(0, async () => Promise.reject(new Error('no poll expected'))), deadline: Date.now() - 1 };
    await expect(waitUntilRecovered(o)).resolves.toEqual({ recoveredAt: null, confirmedAt: null, polls: [], firstFailedPollAt: null });
  });

  it('GIVEN an interruption THEN it is not mistaken for the deadline', async () => {
    const controller = new AbortController();
    const o = { ...options(10_000, hangingPoll([])), signal: controller.signal };
    setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 200);
    await expect(waitUntilRecovered(o)).rejects.toThrow('interrupted by SIGINT');
  });
});

describe('the recovery deadline in a run', () => {
  it('GIVEN the steady-state poll hangs (a process that sleeps 30 s) THEN the run fails "recovery objective missed" at the deadline and the poll is gone', async () => {
    // The probe hangs once, after the action broke things; the steady state after the wait holds.
    const probe: JsonObject = {
      type: 'probe',
      name: 'steady',
      tolerance: 0,
      provider: {
        type: 'process',
        path: 'sh',
        arguments: ['-c', 'if [ -f "${markers}/broken" ]; then rm "${markers}/broken"; echo $$$$ > "${markers}/poll"; exec sleep 30; fi'],
        timeout: 25,
      },
    };
    const started = Date.now();
    const { journal, dir } = await runDocument(
      {
        title: 'Hanging poll',
        description: 'd',
        configuration: { markers: { type: 'env', key: 'MARKERS' } },
        'steady-state-hypothesis': { title: 'steady', probes: [probe] },
        method: [{ type: 'action', name: 'break', provider: { type: 'process', path: 'touch', arguments: ['${markers}/broken'] } }],
        recovery: { within: 2, poll: 0.2 },
      },
      'http://127.0.0.1:1',
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(journal.status).toBe('failed');
    expect(journal.deviated).toBe(false);
    expect(journal.reasons).toEqual(['recovery objective missed: not recovered within 2s of the first action']);
    expect(journal.recovery).toMatchObject({ met: false, timeToRecoverMs: null });
    const cut = journal.steady_states.during.at(-1)?.probes[0];
    expect(cut?.exception).toEqual(['ActivityFailedError: stopped at the recovery deadline, 2s after the first action']);
    const t0 = Date.parse(journal.recovery?.t0 ?? '');
    const deadline = t0 + 2000;
    expect(Date.parse(cut?.end ?? '')).toBeGreaterThanOrEqual(deadline - 5);
    expect(Date.parse(cut?.end ?? '')).toBeLessThan(deadline + SLACK_MS);
    expect(Date.parse(journal.steady_states.after?.at ?? '')).toBeLessThan(deadline + SLACK_MS);
    expect(alive(await pidIn(join(dir, 'poll')))).toBe(false);
  });
});

/** A clock that only moves when told: sleeping moves it by the sleep, a poll by its duration. */
function fakeClock(start: number): { clock: RecoveryWaitOptions['clock']; advance: (ms: number) => void } {
  let now = start;
  return {
    clock: {
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('the recovery polls, on a fake clock', () => {
  /** A wait whose polls take `pollTakesMs` each and hold from the `heldFrom`-th on; the sampler answers from `answeringFrom`. */
  async function polls(pollMs: number, pollTakesMs: number, heldFrom: number, answeringFrom = 0) {
    const t0 = 1_000_000;
    const { clock, advance } = fakeClock(t0);
    const starts: number[] = [];
    let answeringChecks = 0;
    const wait = await waitUntilRecovered({
      ...options(60_000, async () => {
        starts.push(clock.now() - t0);
        // Stamped at the poll's start, as checkHypothesis does.
        const at = new Date(clock.now()).toISOString();
        advance(pollTakesMs);
        return { steady_state_met: starts.length >= heldFrom, probes: [], at };
      }),
      t0,
      deadline: t0 + 60_000,
      pollMs,
      clock,
      sampler: { healthyStreak: () => (answeringChecks += 1) > answeringFrom },
    });
    return { starts, wait, t0 };
  }

  it('GIVEN polls of 150 ms every 200 ms THEN the interval counts from each poll’s start (0, 200, 400 …), not its end', async () => {
    const { starts, wait, t0 } = await polls(200, 150, 4);
    expect(starts).toEqual([0, 200, 400, 600]);
    expect(wait.recoveredAt).toBe(t0 + 600);
    // Confirmed when that poll ended.
    expect(wait.confirmedAt).toBe(t0 + 750);
    expect(wait.firstFailedPollAt).toBe(t0);
  });

  it('GIVEN a poll slower than the interval THEN the next one starts at once', async () => {
    const { starts } = await polls(200, 300, 3);
    expect(starts).toEqual([0, 300, 600]);
  });

  it('GIVEN the steady state holds but the sampled probes do not answer yet THEN polling goes on until both agree', async () => {
    const { starts, wait, t0 } = await polls(200, 50, 1, 2);
    expect(starts).toEqual([0, 200, 400]);
    expect(wait.recoveredAt).toBe(t0 + 400);
    // Not a failed poll: the steady state held, the sampler had not confirmed yet.
    expect(wait.firstFailedPollAt).toBeNull();
  });
});
