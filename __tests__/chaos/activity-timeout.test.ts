/**
 * Every activity has a timeout, and a timed-out activity really stops: real processes (checked gone
 * with `process.kill(pid, 0)`), a real HTTP server that never answers, drivers through the engine.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { DEFAULT_ACTIVITY_TIMEOUT_SECONDS } from '../../chaos/model/experiment-schema';
import { activityTimeoutSeconds } from '../../chaos/engine/activity-limit';
import type { JsonObject } from '../../contract/json';
import { load } from './helpers/experiment-doc';
import { runDocument } from './helpers/engine-harness';
import { alive, pidIn, until } from './helpers/processes';

/** The child would sleep this long: every bound below is far under it. */
const CHILD_SLEEPS_S = 30;

const shell = (name: string, script: string, timeout?: number): JsonObject => ({
  type: 'action',
  name,
  provider: { type: 'process', path: 'sh', arguments: ['-c', script], ...(timeout === undefined ? {} : { timeout }) },
});

function experiment(parts: JsonObject): JsonObject {
  return { title: 'Timeouts', description: 'd', configuration: { markers: { type: 'env', key: 'MARKERS' } }, ...parts };
}

describe('activity timeouts: which limit applies', () => {
  it(`GIVEN nothing said THEN ${DEFAULT_ACTIVITY_TIMEOUT_SECONDS}s; the experiment's activity-timeout replaces it; a provider's timeout beats both`, () => {
    const plain = load({ title: 't', description: 'd', method: [shell('a', 'true')] });
    expect(plain.activityTimeout).toBe(60);
    expect(activityTimeoutSeconds(plain.method[0]!, plain.activityTimeout)).toBe(60);
    const doc = {
      title: 't',
      description: 'd',
      'activity-timeout': 5,
      method: [
        shell('default', 'true'),
        shell('own', 'true', 2),
        { type: 'probe', name: 'pair', provider: { type: 'http', url: 'http://127.0.0.1:1/', timeout: [1, 3] } },
        { type: 'probe', name: 'fault', provider: { type: 'fault', id: 'test:wait', arguments: { seconds: 1 }, timeout: 7 } },
      ],
    };
    const exp = load(doc);
    expect(exp.method.map((a) => activityTimeoutSeconds(a, exp.activityTimeout))).toEqual([5, 2, 4, 7]);
  });

  it.each<[string, JsonObject]>([
    ['a zero activity-timeout', { 'activity-timeout': 0 }],
    ['an activity-timeout beyond a day (a timer would fire at once)', { 'activity-timeout': 86_401 }],
    [
      'a fault timeout that is not a number',
      { method: [{ type: 'action', name: 'a', provider: { type: 'fault', id: 'test:refuse', timeout: 'soon' } }] },
    ],
  ])('refuses %s at load', (_name, parts) => {
    expect(() => load({ title: 't', description: 'd', method: [shell('a', 'true')], ...parts })).toThrow(
      /exp\.yaml: .*(activity-timeout|timeout)/,
    );
  });
});

describe('activity timeouts: a timed-out activity stops and fails, saying so', () => {
  it(`GIVEN a process \`sleep ${CHILD_SLEEPS_S}\` with timeout 1 THEN it fails "timed out after 1s" about a second later, and the process is gone`, async () => {
    const started = Date.now();
    const { journal, dir } = await runDocument(
      experiment({ method: [shell('slow', `echo $$$$ > "\${markers}/pid"; exec sleep ${CHILD_SLEEPS_S}`, 1)] }),
      'http://127.0.0.1:1',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(journal.run[0]).toMatchObject({ status: 'failed', exception: ['ActivityFailedError: timed out after 1s'] });
    expect(journal.run[0]?.activity.name).toBe('slow');
    expect(journal.run[0]?.duration).toBeGreaterThanOrEqual(0.9);
    // A process action is judged as chaostoolkit judges it (chaoslib provider/process.py raises
    // ActivityFailed on TimeoutExpired; run.py apply_activities records it and goes on): the run completes.
    expect(journal.status).toBe('completed');
    expect(journal.reasons).toEqual([]);
    expect(alive(await pidIn(join(dir, 'pid')))).toBe(false);
  });

  it('GIVEN a process that started a child of its own THEN the whole process group is stopped', async () => {
    const { journal, dir } = await runDocument(
      experiment({
        method: [shell('parent', `sleep ${CHILD_SLEEPS_S} & echo $! > "\${markers}/child"; echo $$$$ > "\${markers}/pid"; wait`, 1)],
      }),
      'http://127.0.0.1:1',
    );
    expect(journal.run[0]?.exception).toEqual(['ActivityFailedError: timed out after 1s']);
    expect(alive(await pidIn(join(dir, 'pid')))).toBe(false);
    const child = await pidIn(join(dir, 'child'));
    await until(() => !alive(child), 3000, 'the child of the process');
  });

  it('GIVEN a process group that ignores SIGTERM THEN SIGKILL ends it after the grace period', async () => {
    const started = Date.now();
    const { journal, dir } = await runDocument(
      experiment({ method: [shell('stubborn', `trap '' TERM; echo $$$$ > "\${markers}/pid"; sleep ${CHILD_SLEEPS_S} & wait`, 1)] }),
      'http://127.0.0.1:1',
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(journal.run[0]?.exception).toEqual(['ActivityFailedError: timed out after 1s']);
    expect(alive(await pidIn(join(dir, 'pid')))).toBe(false);
  });

  it('GIVEN activity-timeout 1 and an HTTP action without a timeout against a server that never answers THEN the request is dropped at 1 s', async () => {
    const open = new Set<ServerResponse>();
    const silent: Server = createServer((_req, res) => {
      open.add(res);
      res.on('close', () => open.delete(res));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
    try {
      const started = Date.now();
      const { journal } = await runDocument(
        experiment({ 'activity-timeout': 1, method: [{ type: 'action', name: 'call', provider: { type: 'http', url } }] }),
        url,
      );
      // The HTTP provider's own limit is 30 s: the activity's stopped it long before.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(journal.run[0]?.exception).toEqual(['ActivityFailedError: timed out after 1s']);
      await until(() => open.size === 0, 2000, 'the server sees the request closed');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('GIVEN activity-timeout 1 THEN a fault without a timeout of its own stops at 1 s, one with timeout 5 may take 2 s', async () => {
    const wait = (name: string, seconds: number, timeout?: number): JsonObject => ({
      type: 'probe',
      name,
      provider: { type: 'fault', id: 'test:wait', arguments: { seconds }, ...(timeout === undefined ? {} : { timeout }) },
    });
    const { journal } = await runDocument(
      experiment({ 'activity-timeout': 1, method: [wait('own limit', 2, 5), wait('default limit', CHILD_SLEEPS_S)] }),
      'http://127.0.0.1:1',
    );
    expect(journal.run.map((r) => [r.activity.name, r.status, r.exception?.[0] ?? null])).toEqual([
      ['own limit', 'succeeded', null],
      ['default limit', 'failed', 'ActivityFailedError: timed out after 1s'],
    ]);
    expect(journal.run[0]?.activity.provider).toMatchObject({ timeout: 5 });
  });

  it('GIVEN a driver that ignores its signal THEN it is abandoned 5 s after its timeout and the run aborts (a driver bug)', async () => {
    const started = Date.now();
    const { journal } = await runDocument(
      experiment({
        method: [
          {
            type: 'probe',
            name: 'deaf',
            provider: { type: 'fault', id: 'test:ignore-signal', arguments: { seconds: CHILD_SLEEPS_S }, timeout: 1 },
          },
        ],
      }),
      'http://127.0.0.1:1',
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(journal.status).toBe('aborted');
    expect(journal.reasons[0]).toMatch(/ActivityAbandonedError: "deaf" did not stop within 5s of being stopped \(timed out after 1s\)/);
  });

  it('GIVEN an interruption before the timeout THEN the activity is reported interrupted, not timed out, and its process is gone', async () => {
    const { journal, dir } = await runDocument(
      experiment({ method: [shell('slow', `echo $$$$ > "\${markers}/pid"; exec sleep ${CHILD_SLEEPS_S}`, 20)] }),
      'http://127.0.0.1:1',
      { interruptAfterMs: 500 },
    );
    expect(journal.status).toBe('interrupted');
    expect(journal.run[0]?.exception).toEqual(['Error: SIGINT']);
    expect(alive(await pidIn(join(dir, 'pid')))).toBe(false);
  });
});
