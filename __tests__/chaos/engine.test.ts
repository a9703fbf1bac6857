import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { exitCodeFor } from '../../chaos/engine/runner';
import type { JsonObject } from '../../contract/json';
import { runDocument } from './helpers/engine-harness';
import { useLocalServer } from './helpers/local-server';

const server = useLocalServer();

const url = (path: string) => `${server().url}${path}`;
const healthProbe = (): JsonObject => ({
  type: 'probe',
  name: 'health',
  provider: { type: 'http', url: url('/healthz'), timeout: 1 },
  tolerance: 200,
});
const hit = (name: string, path: string): JsonObject => ({ type: 'action', name, provider: { type: 'http', url: url(path) } });
const touch = (name: string, file: string): JsonObject => ({
  type: 'action',
  name,
  provider: { type: 'process', path: 'touch', arguments: [`\${markers}/${file}`] },
});

function experiment(parts: JsonObject): JsonObject {
  return {
    title: 'Engine test',
    description: 'd',
    configuration: { markers: { type: 'env', key: 'MARKERS' } },
    'steady-state-hypothesis': { title: 'Server answers', probes: [healthProbe()] },
    method: [hit('fail briefly', '/__fail?ms=500')],
    rollbacks: [touch('mark rollback', 'rolled-back')],
    // The status paths below check that the experiment's rollbacks ran ("default" skips them on a failed run).
    'rollback-strategy': 'always',
    ...parts,
  };
}

describe('engine: every status path against a local server', () => {
  it('GIVEN a fault the system recovers from in time THEN completed, recovery measured, rollbacks ran', async () => {
    const { journal, written, dir } = await runDocument(
      experiment({ recovery: { within: 5, poll: 0.2, availability: { min: 10, probe: 'health', rate: 20, timeout: 0.5 } } }),
      server().url,
    );
    expect(journal.status).toBe('completed');
    expect(journal.deviated).toBe(false);
    expect(exitCodeFor(journal)).toBe(0);
    const r = journal.recovery;
    expect(r?.met).toBe(true);
    expect(r?.timeToDetectMs).not.toBeNull();
    expect(r?.timeToDetectMs ?? Infinity).toBeLessThan(1000);
    expect(r?.timeToRecoverMs ?? 0).toBeGreaterThanOrEqual(450);
    expect(r?.availability ?? 100).toBeLessThan(100);
    expect(r?.maxConsecutiveFailures ?? 0).toBeGreaterThanOrEqual(5);
    expect(r?.samples.length ?? 0).toBeGreaterThanOrEqual(10);
    expect(r?.samples[0]).toEqual(
      expect.objectContaining({ t: expect.any(Number), ok: expect.any(Boolean), latencyMs: expect.any(Number) }),
    );
    expect(journal.steady_states.during.length).toBeGreaterThanOrEqual(1);
    expect(journal.steady_states.before?.steady_state_met).toBe(true);
    expect(journal.steady_states.after?.steady_state_met).toBe(true);
    expect(journal.run[0]).toMatchObject({ status: 'succeeded', activity: { name: 'fail briefly' }, output: { status: 200 } });
    expect(existsSync(join(dir, 'rolled-back'))).toBe(true);
    expect(written).toEqual(JSON.parse(JSON.stringify(journal)));
  });

  it('GIVEN a fault that lasts THEN the steady state deviates: failed, deviated, rollbacks ran (deviated strategy)', async () => {
    const { journal, dir } = await runDocument(
      experiment({
        method: [hit('fail for long', '/__fail?ms=60000')],
        rollbacks: [hit('heal', '/__heal'), touch('mark', 'rolled-back')],
        'rollback-strategy': 'deviated',
      }),
      server().url,
    );
    expect(journal.status).toBe('failed');
    expect(journal.deviated).toBe(true);
    expect(journal.reasons[0]).toMatch(/steady state deviated after the method: probe "health" is outside its tolerance/);
    expect(journal.rollbacks.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(existsSync(join(dir, 'rolled-back'))).toBe(true);
    expect(server().mode).toBe('healthy');
    expect(exitCodeFor(journal)).toBe(1);
  });

  it('GIVEN an unhealthy system THEN no fault is injected: failed, not deviated; "always" still plays the rollbacks (chaoslib run_rollback)', async () => {
    server().mode = 'failing';
    const { journal, dir } = await runDocument(experiment({}), server().url);
    expect(journal.status).toBe('failed');
    expect(journal.deviated).toBe(false);
    expect(journal.reasons[0]).toMatch(/steady state not met before the method, so no fault was injected/);
    expect(journal.run).toEqual([]);
    expect(journal.rollbacks_skipped).toBeNull();
    expect(journal.rollbacks.map((r) => r.activity.name)).toEqual(['mark rollback']);
    expect(existsSync(join(dir, 'rolled-back'))).toBe(true);
  });

  it('GIVEN availability below the objective THEN failed although the steady state came back', async () => {
    const { journal } = await runDocument(
      experiment({ recovery: { within: 5, poll: 0.2, availability: { min: 99.9, probe: 'health', rate: 20, timeout: 0.5 } } }),
      server().url,
    );
    expect(journal.status).toBe('failed');
    expect(journal.deviated).toBe(false);
    expect(journal.recovery?.met).toBe(false);
    expect(journal.reasons).toEqual([expect.stringMatching(/availability [\d.]+% is below 99\.9%/)]);
  });

  it('GIVEN recovery slower than the objective THEN failed: not recovered within the deadline', async () => {
    const { journal } = await runDocument(
      experiment({ method: [hit('fail', '/__fail?ms=1200')], recovery: { within: 0.4, poll: 0.1 } }),
      server().url,
    );
    expect(journal.status).toBe('failed');
    expect(journal.recovery).toMatchObject({ met: false, timeToRecoverMs: null, availability: null });
    expect(journal.recovery?.timeToDetectMs).not.toBeNull();
    expect(journal.reasons[0]).toMatch(/not recovered within 0\.4s of the first action/);
  });

  it('GIVEN a failed fault action THEN the method stops and the run fails (ours: chaostoolkit has no fault providers)', async () => {
    const { journal, dir } = await runDocument(
      experiment({
        method: [{ type: 'action', name: 'refused', provider: { type: 'fault', id: 'test:refuse' } }, touch('never', 'after-failure')],
      }),
      server().url,
    );
    expect(journal.status).toBe('failed');
    expect(journal.run).toHaveLength(1);
    expect(journal.run[0]).toMatchObject({ status: 'failed', exception: ['ActivityFailedError: target refused'] });
    expect(journal.reasons).toEqual(['action "refused" failed: ActivityFailedError: target refused']);
    expect(existsSync(join(dir, 'after-failure'))).toBe(false);
    expect(existsSync(join(dir, 'rolled-back'))).toBe(true);
  });

  it('GIVEN a fault probe in the method outside its tolerance THEN the run fails (ours: fault probes in the method are checked)', async () => {
    const { journal } = await runDocument(
      experiment({
        method: [
          { type: 'probe', name: 'waited', provider: { type: 'fault', id: 'test:wait', arguments: { seconds: 0.01 } }, tolerance: 'never' },
          touch('after', 'after-probe'),
        ],
      }),
      server().url,
    );
    expect(journal.status).toBe('failed');
    expect(journal.run[0]).toMatchObject({ status: 'succeeded', tolerance_met: false, output: { waited: 0.01 } });
    expect(journal.run).toHaveLength(2);
    expect(journal.reasons).toEqual(['probe "waited" in the method is outside its tolerance']);
  });

  it('GIVEN an http probe in the method outside its "tolerance" THEN not judged, as chaostoolkit: no tolerance_met, completed', async () => {
    const { journal } = await runDocument(
      experiment({
        method: [
          hit('fail', '/__fail?ms=300'),
          // Waits out the failure, so that the steady state after is met again.
          { type: 'probe', name: 'through proxy', provider: { type: 'http', url: url('/') }, tolerance: 200, pauses: { after: 0.6 } },
        ],
      }),
      server().url,
    );
    expect(journal.reasons).toEqual([]);
    expect(journal.status).toBe('completed');
    expect(journal.run[1]).toMatchObject({ status: 'succeeded', output: { status: 503 } });
    expect(journal.run[1]).not.toHaveProperty('tolerance_met');
  });

  it('GIVEN a non-zero exit of a process action THEN succeeded with its status in the output, as chaostoolkit records it', async () => {
    const { journal, events } = await runDocument(
      experiment({ method: [{ type: 'action', name: 'false', provider: { type: 'process', path: 'false' } }] }),
      server().url,
    );
    expect(journal.status).toBe('completed');
    expect(journal.run[0]).toMatchObject({ status: 'succeeded', output: { status: 1, stdout: '', stderr: '' } });
    expect(journal.run[0]).not.toHaveProperty('exception');
    // chaoslib's kind warning, as a log line.
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'log', level: 'warn', message: expect.stringMatching(/^false: process exited with status 1/) }),
    );
  });

  it('GIVEN a driver bug THEN aborted, rollbacks still ran', async () => {
    const { journal, dir } = await runDocument(
      experiment({ method: [{ type: 'action', name: 'buggy', provider: { type: 'fault', id: 'test:explode' } }] }),
      server().url,
    );
    expect(journal.status).toBe('aborted');
    expect(journal.reasons[0]).toMatch(/aborted: TypeError: driver bug/);
    expect(existsSync(join(dir, 'rolled-back'))).toBe(true);
    expect(exitCodeFor(journal)).toBe(1);
  });

  it('GIVEN an interruption during the method THEN interrupted, rollbacks ran, journal written', async () => {
    const started = Date.now();
    const { journal, written, dir } = await runDocument(
      experiment({
        method: [{ ...hit('fail', '/__fail?ms=60000'), pauses: { after: 30 } }],
        rollbacks: [hit('heal', '/__heal'), touch('mark', 'rolled-back')],
        recovery: { within: 60, availability: { min: 90, probe: 'health' } },
      }),
      server().url,
      { interruptAfterMs: 400 },
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(journal.status).toBe('interrupted');
    expect(written.status).toBe('interrupted');
    expect(journal.recovery?.met).toBeNull();
    expect(journal.recovery?.samples.length ?? 0).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'rolled-back'))).toBe(true);
    expect(server().mode).toBe('healthy');
  });

  it('GIVEN a fault module with a rollback THEN it is undone during rollbacks, before declared rollbacks', async () => {
    const { journal, dir } = await runDocument(
      experiment({
        method: [
          {
            type: 'action',
            name: 'mark api',
            provider: { type: 'fault', id: 'test:touch-marker', arguments: { service: 'api', marker: '${markers}/fault' } },
          },
        ],
      }),
      server().url,
    );
    expect(journal.status).toBe('completed');
    expect(journal.rollbacks.map((r) => r.activity.name)).toEqual(['undo "mark api"', 'mark rollback']);
    expect(existsSync(join(dir, 'fault.undone'))).toBe(true);
  });

  it('GIVEN process probes, a probe tolerance and a background activity THEN they run and are judged', async () => {
    const { journal } = await runDocument(
      experiment({
        'steady-state-hypothesis': {
          title: 'checks',
          probes: [
            healthProbe(),
            {
              type: 'probe',
              name: 'exit code',
              provider: { type: 'process', path: 'sh', arguments: ['-c', 'echo ready; exit 3'] },
              tolerance: 3,
            },
            {
              type: 'probe',
              name: 'stdout',
              provider: { type: 'process', path: 'echo', arguments: ['ready'] },
              tolerance: { type: 'regex', pattern: '^ready', target: 'stdout' },
            },
            {
              type: 'probe',
              name: 'judged by a probe',
              provider: { type: 'http', url: url('/status') },
              tolerance: {
                type: 'probe',
                name: 'judge',
                provider: { type: 'process', path: 'sh', arguments: ['-c', 'grep -q "\\"healthy\\":true"'] },
              },
            },
          ],
        },
        method: [{ ...touch('background', 'bg'), background: true, pauses: { before: 0.2 } }, hit('fail', '/__fail?ms=10')],
      }),
      server().url,
    );
    expect(journal.steady_states.before?.probes.map((p) => p.tolerance_met)).toEqual([true, true, true, true]);
    expect(journal.status).toBe('completed');
    expect(journal.run.map((r) => r.activity.name)).toEqual(['fail', 'background']);
  });

  it('GIVEN a secret THEN it never appears in the journal', async () => {
    const { written } = await runDocument(
      experiment({
        secrets: { api: { token: { type: 'env', key: 'TOKEN' } } },
        method: [
          { type: 'action', name: 'auth', provider: { type: 'http', url: url('/x'), headers: { authorization: 'Bearer ${token}' } } },
        ],
      }),
      server().url,
      { env: { TOKEN: 'very-secret-value' } },
    );
    expect(JSON.stringify(written)).not.toContain('very-secret-value');
    expect(written.run[0]?.activity).toMatchObject({ provider: { headers: { authorization: 'Bearer ***' } } });
  });
});
