/**
 * Lost dependencies, end to end against the rehearsal: the chaos CLI runs the shipped experiments
 * and the journals are judged.
 *
 * - docker-daemon-restart.yaml on the default rehearsal: the rehearsal's own dockerd restarted
 *   over SSH (host:restart-runtime); a new daemon, and every service back by itself (new tasks),
 *   each one's time to answer again measured on the host.
 * - acme-outage.yaml on the rehearsal in ACME mode against Pebble on loopback (as
 *   proxy-certificate.test.ts): the proxy's directory blocked by iptables for its uid while a
 *   renewal is forced; 0 failed HTTPS requests, refused packets counted, failed rounds backed off,
 *   a new certificate once the rule is gone, and nothing of the rule left.
 *
 * Needs, besides the rehearsal's tools, iptables, pebble and openssl. Missing tools fail the run
 * under CI=true; elsewhere the tests are skipped, loudly. Ends with the rehearsal down.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { findTool } from '../../rehearsal/tools';
import { SERVICE_NAMES } from '../../contract/services';
import { expectExit, runChaos } from './support/chaos-cli';
import { activityIn, figuresOf, outputs as activityOutputs, probeIn, readJournal } from './support/journal';
import { REPO_ROOT } from './support/rehearsal-cli';
import { holdPebbleRehearsal, missingForPebbleRehearsal } from './support/pebble-rehearsal';
import { describeIfPossible, holdRehearsal, waitForSteadyState } from './support/rehearsal-session';

const EXPERIMENTS = path.join(REPO_ROOT, 'chaos', 'experiments');

const missing = [...missingForPebbleRehearsal(), ...(findTool('iptables') === undefined ? ['iptables (apt-get install iptables)'] : [])];

/** Whatever a fault of this file left on this machine: tagged rules and tagged processes. */
function leftBehind(): { rules: string[]; processes: string[] } {
  const rules = execFileSync('iptables', ['-w', '-S'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('platform-chaos'));
  const processes = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    // This file's faults' tags only: other tests on this machine tag their own helpers.
    .filter((l) => /platform-chaos-(acme|restart-runtime|proxy-log|tools)/.test(l));
  return { rules, processes };
}

const restartOutput = z.object({
  daemonBefore: z.object({ pid: z.number(), startedAt: z.string().nullable() }),
  daemonAfter: z.object({ pid: z.number(), startedAt: z.string().nullable() }),
  restartTookMs: z.number(),
  services: z.array(
    z.object({
      service: z.enum(SERVICE_NAMES),
      downAfterMs: z.number().nullable(),
      answeredAfterMs: z.number().nullable(),
      looks: z.number(),
    }),
  ),
  allAnsweredAgain: z.boolean(),
});

const blockOutput = z.object({
  directory: z.string(),
  uid: z.number(),
  rules: z.array(z.string()),
  appliedAt: z.string(),
  removedAt: z.string(),
  blockedPackets: z.number(),
  left: z.number(),
});

const forceOutput = z.object({ signalledAt: z.string(), confirmedAfterMs: z.number().nullable(), serialBefore: z.string().nullable() });

const statusOutput = z.object({
  settled: z.boolean(),
  forcedAt: z.string().nullable(),
  failedRounds: z.number(),
  failedAt: z.array(z.string()),
  retryDelaysSeconds: z.array(z.number()),
  renewedAt: z.string().nullable(),
  serialBefore: z.string().nullable(),
  serial: z.string().nullable(),
});

const sameSerial = (a: string | null | undefined, b: string | null | undefined): boolean =>
  (a ?? '').toUpperCase().replace(/^0+/, '') === (b ?? '').toUpperCase().replace(/^0+/, '') && (a ?? '') !== '';

describeIfPossible(missing, 'the lost-dependency faults')('lost dependencies against the rehearsal', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'e2e-dependencies-'));
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  describe('the container runtime restarted (default rehearsal)', () => {
    const rehearsal = holdRehearsal();

    test('docker-daemon-restart.yaml: a new dockerd, all three services back by themselves, each timed', async () => {
      await waitForSteadyState(rehearsal());
      const chaos = await runChaos(path.join(EXPERIMENTS, 'docker-daemon-restart.yaml'), {
        journal: path.join(dir, 'docker-daemon-restart.json'),
        timeoutMs: 300_000,
      });
      console.log(`docker-daemon-restart (${(chaos.ms / 1000).toFixed(1)} s): ${chaos.stdout.trim()}`);
      expectExit(chaos, 0);
      const journal = readJournal(chaos.journal);
      expect(journal.status).toBe('completed');
      expect(journal.steady_states.after?.steady_state_met).toBe(true);

      const restart = restartOutput.parse(activityIn(journal.run, 'restart-container-runtime').output);
      console.log(
        `runtime restart: dockerd pid ${restart.daemonBefore.pid} (started ${restart.daemonBefore.startedAt ?? '?'}) -> ${restart.daemonAfter.pid} (started ${restart.daemonAfter.startedAt ?? '?'}), restart took ${restart.restartTookMs} ms; ` +
          restart.services
            .map((s) => `${s.service} down after ${s.downAfterMs ?? '-'} ms, answers again after ${s.answeredAfterMs ?? '-'} ms`)
            .join('; ') +
          `; journal time to recover ${journal.recovery?.timeToRecoverMs ?? '-'} ms, availability through the proxy: / ${figuresOf(journal, 'frontend-through-proxy').availability ?? '-'} %, /api/ ${figuresOf(journal, 'api-through-proxy').availability ?? '-'} %`,
      );
      expect(restart.daemonAfter.pid).toBeGreaterThan(0);
      expect(restart.daemonAfter.pid).not.toBe(restart.daemonBefore.pid);
      expect(Date.parse(restart.daemonAfter.startedAt ?? '')).toBeGreaterThan(Date.parse(restart.daemonBefore.startedAt ?? ''));
      expect(restart.allAnsweredAgain).toBe(true);
      for (const s of restart.services) {
        // Each went down with the daemon and answered again by itself, after it.
        expect(s.downAfterMs).not.toBeNull();
        expect(s.answeredAfterMs).toBeGreaterThan(s.downAfterMs ?? Infinity);
      }
      // The services run new tasks: swarm started them, nobody else.
      for (const service of SERVICE_NAMES) {
        const before = activityOutputs.stable.parse(probeIn(journal.steady_states.before, `${service}-runs-as-desired`).output);
        const after = activityOutputs.stable.parse(probeIn(journal.steady_states.after, `${service}-runs-as-desired`).output);
        expect(after.runningTasks).toHaveLength(1);
        expect(after.runningTasks[0]).not.toBe(before.runningTasks[0]);
      }
      expect(leftBehind()).toEqual({ rules: [], processes: [] });
    });
  });

  describe('the ACME directory unreachable during a forced renewal (ACME mode, Pebble on loopback)', () => {
    const { acme, httpsPort, certificate: pebbleCertificate } = holdPebbleRehearsal('e2e-acme-outage-');

    test('acme-outage.yaml: 0 failed HTTPS requests, refused attempts counted, backoff, a new certificate after, no rule left', async () => {
      const first = await pebbleCertificate(60_000);
      const ordersBefore = acme().orders();
      const chaos = await runChaos(path.join(EXPERIMENTS, 'acme-outage.yaml'), {
        journal: path.join(dir, 'acme-outage.json'),
        env: { CHAOS_HTTPS_URL: `https://127.0.0.1:${httpsPort()}/` },
      });
      console.log(`acme-outage (${(chaos.ms / 1000).toFixed(1)} s): ${chaos.stdout.trim()}`);
      if (chaos.code !== 0)
        console.log(
          `acme-outage journal, after and method:\n${JSON.stringify([readJournal(chaos.journal).steady_states.after, readJournal(chaos.journal).run], null, 1).slice(0, 6000)}`,
        );
      expectExit(chaos, 0);
      const journal = readJournal(chaos.journal);
      expect(journal.status).toBe('completed');

      const block = blockOutput.parse(activityIn(journal.run, 'block-acme-directory').output);
      const force = forceOutput.parse(activityIn(journal.run, 'force-renewal').output);
      const status = statusOutput.parse(probeIn(journal.steady_states.after, 'renewal-settled').output);
      const samples = journal.recovery?.samples ?? [];
      console.log(
        `acme outage: ${block.rules.length} rule(s) [${block.rules.join('; ')}] refused ${block.blockedPackets} packets in ${Date.parse(block.removedAt) - Date.parse(block.appliedAt)} ms; ` +
          `forced renewal confirmed after ${force.confirmedAfterMs ?? '-'} ms; ${status.failedRounds} failed rounds at ${status.failedAt.join(', ')} (backoff ${status.retryDelaysSeconds.join(', ')} s); ` +
          `renewed at ${status.renewedAt ?? '-'} (${Date.parse(status.renewedAt ?? '') - Date.parse(block.removedAt)} ms after the rule went); ` +
          `HTTPS samples: ${samples.length}, failed ${samples.filter((s) => !s.ok).length}; serial ${status.serialBefore ?? '-'} -> ${status.serial ?? '-'}`,
      );
      // The rule held the proxy's own traffic to Pebble's port, and refused it.
      expect(block.uid).toBe(101);
      expect(block.directory).toBe(acme().directoryUrl);
      expect(block.rules.join(' ')).toContain(`--dport ${new URL(acme().directoryUrl).port}`);
      expect(block.rules.join(' ')).toContain('--uid-owner 101');
      expect(block.blockedPackets).toBeGreaterThan(0);
      expect(block.left).toBe(0);
      // The renewal was forced, failed while the rule held, backed off, and renewed after it.
      expect(force.confirmedAfterMs).not.toBeNull();
      expect(sameSerial(force.serialBefore, first.serial)).toBe(true);
      expect(status.settled).toBe(true);
      expect(status.failedRounds).toBeGreaterThanOrEqual(2);
      expect(status.retryDelaysSeconds.slice(0, 3)).toEqual([2, 4, 8].slice(0, Math.min(3, status.failedRounds)));
      for (const at of status.failedAt) expect(Date.parse(at)).toBeLessThanOrEqual(Date.parse(block.removedAt) + 1000);
      expect(Date.parse(status.renewedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(block.removedAt) - 1000);
      expect(sameSerial(status.serial, first.serial)).toBe(false);
      // The old certificate served throughout: every HTTPS sample answered.
      expect(samples.length).toBeGreaterThan(100);
      expect(samples.filter((s) => !s.ok)).toEqual([]);
      expect(journal.recovery?.availability).toBe(100);
      // The new certificate is served now, from one more order.
      const renewed = await pebbleCertificate(15_000, first.serial);
      expect(sameSerial(renewed.serial, status.serial)).toBe(true);
      expect(acme().orders()).toBe(ordersBefore + 1);
      expect(leftBehind()).toEqual({ rules: [], processes: [] });
    });
  });
});
