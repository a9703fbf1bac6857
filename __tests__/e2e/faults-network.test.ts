/**
 * The network faults end to end against the rehearsal: api-latency, api-packet-loss and
 * api-blackhole, each by `npm run chaos -- run <experiment> --yes` over the rehearsal's sshd, with
 * the real proxy (nginx as the proxy's uid) and the real API. Each run: exit 0, completed, the
 * fault's evidence in the journal (packets delayed or dropped), the platform behaviour the issue
 * asks for (latency up by about the delay, a fast 504 beyond the proxy's timeout, the proxy failing
 * fast under a blackhole, the frontend 100 %), and nothing left behind: no iptables rule tagged
 * platform-chaos, no helper process, no helper file. The rehearsal's sshd runs as root on this
 * machine, so the rules and the delayer live in this machine's own network namespace.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCommand } from '../../rehearsal/command';
import { expectExit, runChaos } from './support/chaos-cli';
import { activityIn, figuresOf, readJournal, type Journal } from './support/journal';
import { missingForRehearsal, REPO_ROOT } from './support/rehearsal-cli';
import { describeIfPossible, holdRehearsal, waitForSteadyState } from './support/rehearsal-session';

const EXPERIMENTS = path.join(REPO_ROOT, 'chaos', 'experiments');

type Out = Record<string, unknown>;
const outputOf = (journal: Journal, name: string): Out => activityIn(journal.run, name).output as Out;
const latencyOf = (journal: Journal, name: string): number => Number(outputOf(journal, name).latencyMs);

async function expectNothingLeft(): Promise<void> {
  const rules = (await runCommand('iptables', ['-w', '-S'])).stdout.split('\n').filter((l) => l.includes('platform-chaos'));
  const processes = (await runCommand('pgrep', ['-af', '[p]latform-chaos-(net|watchdog)'])).stdout.trim();
  const files = ['net-delay', 'net-loss', 'net-blackhole'].filter((k) => existsSync(`/tmp/platform-chaos-${k}.out`));
  expect({ rules, processes, files }).toEqual({ rules: [], processes: '', files: [] });
}

function expectCompleted(journal: Journal): void {
  expect(journal.status).toBe('completed');
  expect(journal.deviated).toBe(false);
  expect(journal.steady_states.before?.steady_state_met).toBe(true);
  expect(journal.steady_states.after?.steady_state_met).toBe(true);
  // The frontend's path is never touched by a fault on the API's port.
  expect(figuresOf(journal, 'frontend-through-proxy').availability).toBe(100);
  for (const run of journal.run) expect([run.activity.name, run.status]).toEqual([run.activity.name, 'succeeded']);
}

describeIfPossible(missingForRehearsal(), 'the network experiments against the rehearsal')(
  'network faults against the local rehearsal',
  () => {
    const rehearsal = holdRehearsal();
    let dir = '';
    const journalOf = (name: string): string => path.join(dir, `${name}.json`);

    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'e2e-net-'));
    });

    beforeEach(async () => {
      await waitForSteadyState(rehearsal());
      await expectNothingLeft();
    });

    afterEach(async () => {
      await expectNothingLeft();
    });

    afterAll(() => {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    test('api-latency.yaml: /api/ slower by about the delay, frontend untouched; beyond the timeout a fast 504', async () => {
      const run = await runChaos(path.join(EXPERIMENTS, 'api-latency.yaml'), { journal: journalOf('api-latency') });
      console.log(`api-latency.yaml (${(run.ms / 1000).toFixed(1)} s): ${run.stdout.trim()}`);
      // On a failed run, what each probe of the method saw (the exit check below says only which failed).
      if (run.code !== 0)
        for (const a of readJournal(run.journal).run)
          console.log(`${a.activity.name}: ${a.status} ${JSON.stringify(a.output ?? a.exception ?? null).slice(0, 300)}`);
      expectExit(run, 0);
      const journal = readJournal(run.journal);
      expectCompleted(journal);
      const before = latencyOf(journal, 'api-latency-before');
      const during = [latencyOf(journal, 'api-latency-during-400ms'), latencyOf(journal, 'api-latency-during-400ms-again')];
      const beyond = [latencyOf(journal, 'api-beyond-timeout'), latencyOf(journal, 'api-beyond-timeout-again')];
      const frontend = [latencyOf(journal, 'frontend-during-400ms'), latencyOf(journal, 'frontend-beyond-timeout')];
      const small = outputOf(journal, 'delay-api-400ms');
      const large = outputOf(journal, 'delay-api-3s');
      console.log(
        `latency of /api/status through the proxy: before ${before} ms, with 400 ms added ${during.join('/')} ms, with 3 s added ${beyond.join('/')} ms (${['api-beyond-timeout', 'api-beyond-timeout-again'].map((n) => String(outputOf(journal, n).status)).join('/')}); frontend ${frontend.join('/')} ms; packets delayed ${String(small.delayedPackets)} and ${String(large.delayedPackets)}`,
      );
      // Slower by about the delay: one held packet on a kept-alive connection, two on a new one.
      for (const ms of during) {
        expect(ms - before).toBeGreaterThanOrEqual(350);
        expect(ms - before).toBeLessThan(1500);
      }
      // Beyond the proxy's 2 s timeouts, both copies slowed: a 504 after one or two timed-out tries
      // (2-4 s, not a hang), or a 502 at once while both copies are marked failed.
      const statuses = ['api-beyond-timeout', 'api-beyond-timeout-again'].map((name) => outputOf(journal, name).status);
      beyond.forEach((ms, i) => {
        expect([502, 504]).toContain(statuses[i]);
        if (statuses[i] === 504) expect(ms).toBeGreaterThanOrEqual(1900);
        expect(ms).toBeLessThan(4500);
      });
      for (const ms of frontend) expect(ms).toBeLessThan(300);
      for (const fault of [small, large]) {
        expect(fault.delayedPackets).toBeGreaterThan(0);
        expect(fault.undo).toMatchObject({ rulesLeft: 0, failedRules: [] });
      }
    });

    test('api-packet-loss.yaml: drops counted, the API mostly available (sampled), the frontend answering', async () => {
      const run = await runChaos(path.join(EXPERIMENTS, 'api-packet-loss.yaml'), { journal: journalOf('api-packet-loss') });
      console.log(`api-packet-loss.yaml (${(run.ms / 1000).toFixed(1)} s): ${run.stdout.trim()}`);
      expectExit(run, 0);
      const journal = readJournal(run.journal);
      expectCompleted(journal);
      expect(figuresOf(journal, 'api-through-proxy').availability).toBeGreaterThanOrEqual(85);
      const loss = outputOf(journal, 'drop-20-percent-to-api');
      const frontend = [1, 2, 3, 4, 5].map((i) => latencyOf(journal, `frontend-during-loss-${i}`));
      const samples = (journal.recovery?.samples ?? []).filter((s) => s.probe === 'api-through-proxy');
      const slowest = Math.max(0, ...samples.map((s) => s.latencyMs));
      const failed = samples.filter((s) => !s.ok).map((s) => s.status ?? s.error);
      console.log(
        `20 % loss: ${String(loss.seenPackets)} packets seen, ${String(loss.droppedPackets)} dropped (${String(loss.droppedPercent)} %); /api/status availability ${String(figuresOf(journal, 'api-through-proxy').availability)} % over ${samples.length} samples (slowest ${slowest} ms, failed: ${JSON.stringify(failed)}); frontend ${frontend.join('/')} ms`,
      );
      // Enough traffic (the sampler's) for the figure to mean something, and about the configured loss.
      expect(loss.seenPackets).toBeGreaterThan(100);
      expect(Number(loss.droppedPercent)).toBeGreaterThan(10);
      expect(Number(loss.droppedPercent)).toBeLessThan(30);
      for (const ms of frontend) expect(ms).toBeLessThan(300);
    });

    test('api-blackhole.yaml: every API copy blackholed, the proxy fails fast (502/504 within 4.5 s), the frontend 100 %, the API back when lifted', async () => {
      const run = await runChaos(path.join(EXPERIMENTS, 'api-blackhole.yaml'), { journal: journalOf('api-blackhole') });
      console.log(`api-blackhole.yaml (${(run.ms / 1000).toFixed(1)} s): ${run.stdout.trim()}`);
      expectExit(run, 0);
      const journal = readJournal(run.journal);
      expectCompleted(journal);
      const hole = outputOf(journal, 'blackhole-api-port');
      const failing = ['api-fails-fast', 'api-fails-fast-again'].map((name) => outputOf(journal, name));
      console.log(
        `blackhole: ${failing.map((f) => `${String(f.status)} in ${String(f.latencyMs)} ms`).join(', ')}; ${String(hole.droppedPackets)} packets dropped; back: ${String(outputOf(journal, 'api-back-when-lifted').status)}`,
      );
      for (const f of failing) {
        expect([502, 504]).toContain(f.status);
        expect(Number(f.latencyMs)).toBeLessThan(4500);
      }
      expect(hole.droppedPackets).toBeGreaterThan(0);
      // Both copies' ports, from the outputs.
      expect((hole.path as { toPorts: number[] }).toPorts).toEqual([8080, 8082]);
      expect(outputOf(journal, 'api-back-when-lifted').status).toBe(200);
      expect(latencyOf(journal, 'frontend-during-blackhole')).toBeLessThan(300);
    });
  },
);
