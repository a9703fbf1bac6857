/**
 * The chaos experiments end to end, for real: the chaos CLI as a child process (exactly
 * `npm run chaos -- run <experiment> --yes --journal <file>`) against the local rehearsal, judged
 * by the journals it writes.
 *
 * - The seed's three experiments, each by SSH `docker stop` and by the orchestrator's stop (the
 *   six shipped `stop-*` files): completed, exit 0, the outcome each promises, a new task every
 *   time, and recovery figures that agree with their samples.
 * - A run interrupted by a real SIGINT mid-fault still runs its rollbacks (exit 1, interrupted).
 * - A recovery objective no platform can meet (1 ms) fails the run with exit 1.
 *
 * Brings the rehearsal up (fast when warm) and down again. Missing tools fail the run under
 * CI=true; elsewhere the tests are skipped, loudly.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runChaosCli } from '../../rehearsal/chaos-cli';
import { expectExit, runChaos } from './support/chaos-cli';
import { expectNewIdentity, expectOutcome, expectPlausibleRecovery, recoveryLine, type StopExperiment } from './support/experiment-checks';
import { activityIn, readJournal } from './support/journal';
import { missingForRehearsal, REPO_ROOT } from './support/rehearsal-cli';
import { describeIfPossible, holdRehearsal, waitForSteadyState } from './support/rehearsal-session';

const EXPERIMENTS = path.join(REPO_ROOT, 'chaos', 'experiments');
const FIXTURES = path.join(__dirname, 'fixtures');

// Two copies of the api and of the frontend (contract/services.ts): stopping one copy of either
// fails nothing through the proxy (`all-available`, where one copy used to mean an outage of its
// path); the proxy has one copy, and stopping it takes the site down.
const SHIPPED: readonly StopExperiment[] = [
  { file: 'stop-api-ssh.yaml', service: 'api', via: 'ssh', sampled: 'frontend-through-proxy', outcome: 'all-available' },
  { file: 'stop-api-task.yaml', service: 'api', via: 'orchestrator', sampled: 'frontend-through-proxy', outcome: 'all-available' },
  { file: 'stop-frontend-ssh.yaml', service: 'frontend', via: 'ssh', sampled: 'api-through-proxy', outcome: 'all-available' },
  { file: 'stop-frontend-task.yaml', service: 'frontend', via: 'orchestrator', sampled: 'api-through-proxy', outcome: 'all-available' },
  { file: 'stop-proxy-ssh.yaml', service: 'proxy', via: 'ssh', sampled: 'frontend-through-proxy', outcome: 'site-down' },
  { file: 'stop-proxy-task.yaml', service: 'proxy', via: 'orchestrator', sampled: 'frontend-through-proxy', outcome: 'site-down' },
];

describeIfPossible(missingForRehearsal(), 'the chaos experiments against the rehearsal')(
  'chaos experiments against the local rehearsal',
  () => {
    const rehearsal = holdRehearsal();
    let dir = '';
    const journalOf = (name: string): string => path.join(dir, `${name}.json`);

    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'e2e-experiments-'));
    });

    beforeEach(async () => {
      // Each run starts from the steady state: the run before may end with a replacement in flight.
      await waitForSteadyState(rehearsal());
    });

    afterAll(() => {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    test.each(SHIPPED)('$file: completed, exit 0, $outcome, a new task, recovery figures in the journal', async (experiment) => {
      const run = await runChaos(path.join(EXPERIMENTS, experiment.file), { journal: journalOf(experiment.file) });
      console.log(`${experiment.file} (${(run.ms / 1000).toFixed(1)} s): ${run.stdout.trim()}`);
      expectExit(run, 0);
      const journal = readJournal(run.journal);
      console.log(`${experiment.file}: ${recoveryLine(journal)}`);
      expect(journal.status).toBe('completed');
      expect(journal.deviated).toBe(false);
      expect(journal.steady_states.before?.steady_state_met).toBe(true);
      expect(journal.steady_states.after?.steady_state_met).toBe(true);
      expectPlausibleRecovery(journal);
      expectOutcome(journal, experiment);
      expectNewIdentity(journal, experiment);
    });

    test('http-smoke.yaml: completed, 100 % available, run on the adapters the local outputs name', async () => {
      const run = await runChaos(path.join(EXPERIMENTS, 'http-smoke.yaml'), { journal: journalOf('http-smoke') });
      expectExit(run, 0);
      const journal = readJournal(run.journal);
      console.log(`http-smoke.yaml: ${recoveryLine(journal)}`);
      expect(journal.status).toBe('completed');
      expect(journal.recovery?.availability).toBe(100);
      // Each path sampled on its own, none failed.
      expect(journal.recovery?.probes.map((p) => [p.probe, p.availability, p.failed])).toEqual([
        ['proxy-health', 100, 0],
        ['api-through-proxy', 100, 0],
        ['frontend-page', 100, 0],
      ]);
      expect(journal.adapters).toEqual({
        target: 'local',
        orchestrator: 'swarm',
        host: 'ssh',
        aws: null,
        // The single-node rehearsal: no nodes port.
        nodes: null,
        dockerHost: rehearsal().state.dockerHost,
      });
    });

    test.each(['drain-instance.yaml', 'terminate-instance.yaml'])(
      '%s: refused before anything runs, naming what the rehearsal lacks (exit 2)',
      async (file) => {
        const run = await runChaosCli(['run', path.join(EXPERIMENTS, file), '--yes'], { repoRoot: REPO_ROOT });
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(/is not available on the local target: /);
      },
    );

    test('a run interrupted by SIGINT mid-fault still runs its rollbacks: interrupted, exit 1', async () => {
      const marker = path.join(dir, 'rollback-ran');
      let signalledAt = 0;
      const run = await runChaos(path.join(FIXTURES, 'interrupted-mid-fault.yaml'), {
        journal: journalOf('interrupted'),
        env: { E2E_ROLLBACK_MARKER: marker },
        onProgress: (line, child) => {
          // The fault is in (the task stopped) and the run sits in its two-minute pause.
          if (signalledAt === 0 && /pause 120s after "stop-api-task"/.test(line)) {
            signalledAt = Date.now();
            child.kill('SIGINT');
          }
        },
      });
      console.log(`interrupted run: ${run.stdout.trim()}; exited ${Date.now() - signalledAt} ms after SIGINT`);
      expect(signalledAt).toBeGreaterThan(0);
      expectExit(run, 1);
      // Stopped at once, not after the pause.
      expect(Date.now() - signalledAt).toBeLessThan(20_000);
      const journal = readJournal(run.journal);
      expect(journal.status).toBe('interrupted');
      expect(journal.reasons.join('\n')).toMatch(/SIGINT/);
      expect(activityIn(journal.run, 'stop-api-task').status).toBe('succeeded');
      expect(journal.rollbacks_skipped).toBeNull();
      expect(journal.rollbacks.map((r) => [r.activity.name, r.status])).toEqual([
        ['write-rollback-marker', 'succeeded'],
        ['api-events-in-rollback', 'succeeded'],
      ]);
      expect(existsSync(marker)).toBe(true);
    });

    test('a recovery objective of 1 ms is missed: failed, exit 1, the objective named', async () => {
      const run = await runChaos(path.join(FIXTURES, 'impossible-recovery.yaml'), { journal: journalOf('impossible') });
      console.log(`impossible objective: ${run.stdout.trim()}`);
      expectExit(run, 1);
      expect(run.stdout).toMatch(/recovery objective missed/);
      const journal = readJournal(run.journal);
      expect(journal.status).toBe('failed');
      expect(journal.recovery?.objective?.within).toBe(0.001);
      expect(journal.recovery?.met).toBe(false);
      expect(journal.reasons.join('\n')).toMatch(/recovery objective missed/);
      expect(activityIn(journal.run, 'stop-api-task').status).toBe('succeeded');
    });
  },
);
