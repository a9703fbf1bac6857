/**
 * The seed's "heavy requests" and a filled disk, for real against the rehearsal:
 * `chaos run chaos/experiments/heavy-requests.yaml` (http:load through the proxy) and
 * `disk-fill.yaml` (host:fill-disk over SSH into the rehearsal engine's DockerRootDir), judged by
 * their journals and by looking at the engine and the host afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { expectExit, runChaos } from './support/chaos-cli';
import { activityIn, figuresOf, probeIn, readJournal, type Journal } from './support/journal';
import { missingForRehearsal, REPO_ROOT } from './support/rehearsal-cli';
import { describeIfPossible, holdRehearsal, waitForSteadyState, type Rehearsal } from './support/rehearsal-session';

const EXPERIMENTS = path.join(REPO_ROOT, 'chaos', 'experiments');

const loadResult = z.object({
  sent: z.number(),
  notSent: z.number(),
  counts: z.object({
    '2xx': z.number(),
    '429': z.number(),
    '503': z.number(),
    other: z.number(),
    errors: z.number(),
    timeouts: z.number(),
  }),
  byStatus: z.record(z.string(), z.number()),
  latencyMs: z.object({ p50: z.number(), p95: z.number(), max: z.number() }),
  latencyMs2xx: z.object({ p50: z.number(), p95: z.number(), max: z.number() }),
  requestedRate: z.number(),
  achievedRate: z.number(),
  instances: z.array(z.string()),
});

const usage = z.object({ sizeBytes: z.number(), usedBytes: z.number(), availableBytes: z.number(), usedPercent: z.number() });
const fillResult = z.object({
  directory: z.string(),
  file: z.string(),
  method: z.string(),
  maxBytes: z.number(),
  bytesToMark: z.number(),
  bytesWritten: z.number(),
  reached: z.enum(['mark', 'cap']),
  heldSeconds: z.number(),
  removed: z.array(z.string()),
  df: z.object({ before: usage, during: usage, after: usage }),
});

const instanceOf = (journal: Journal, when: 'before' | 'after'): string =>
  z.object({ instance: z.string() }).parse(probeIn(journal.steady_states[when], 'api-is-the-same-instance').output).instance;

/** The steady state confirmed within 5 s of the fault's end (its duration after the first action). */
function expectSteadyRightAfter(journal: Journal, faultMs: number): void {
  expect(journal.recovery?.met).toBe(true);
  const ttr = journal.recovery?.timeToRecoverMs ?? Infinity;
  expect(ttr).toBeGreaterThanOrEqual(faultMs);
  expect(ttr - faultMs).toBeLessThan(5_000);
}

/** Docker against the rehearsal's engine. */
function docker(rehearsal: Rehearsal, args: readonly string[]): string {
  return execFileSync('docker', args, { env: { ...process.env, ...rehearsal.dockerEnv }, encoding: 'utf8' }).trim();
}

/** The running container ids of every API copy (the platform.service label), sorted. */
function apiContainers(rehearsal: Rehearsal): string[] {
  return docker(rehearsal, ['ps', '--filter', 'label=platform.service=api', '--format', '{{.ID}}']).split('\n').filter(Boolean).sort();
}

/** Processes of ours still running on this machine (the host the rehearsal's sshd runs commands on). */
function ourProcesses(): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /platform-chaos-fill/.test(line));
}

describeIfPossible(missingForRehearsal(), 'the load and disk-fill experiments against the rehearsal')(
  'heavy requests and a filled disk against the local rehearsal',
  () => {
    const rehearsal = holdRehearsal();
    let dir = '';

    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'e2e-load-disk-'));
    });

    beforeEach(async () => {
      await waitForSteadyState(rehearsal());
    });

    afterAll(() => {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    test('heavy-requests.yaml: some shed with 429/503, nothing else but 200, the API never restarts, frontend 100 %', async () => {
      const containersBefore = apiContainers(rehearsal());
      const run = await runChaos(path.join(EXPERIMENTS, 'heavy-requests.yaml'), { journal: path.join(dir, 'heavy-requests.json') });
      console.log(`heavy-requests.yaml (${(run.ms / 1000).toFixed(1)} s): ${run.stdout.trim()}`);
      expectExit(run, 0);
      const journal = readJournal(run.journal);
      expect(journal.status).toBe('completed');
      expect(journal.steady_states.before?.steady_state_met).toBe(true);
      expect(journal.steady_states.after?.steady_state_met).toBe(true);

      const load = loadResult.parse(activityIn(journal.run, 'heavy-requests-on-the-api').output);
      console.log(
        `heavy requests: ${load.sent} sent at ${load.achievedRate}/s (asked ${load.requestedRate}/s), ${JSON.stringify(load.byStatus)}, ` +
          `errors ${load.counts.errors}, timeouts ${load.counts.timeouts}, not sent ${load.notSent}; latency p50 ${load.latencyMs.p50} ms, ` +
          `p95 ${load.latencyMs.p95} ms, max ${load.latencyMs.max} ms (2xx only: p50 ${load.latencyMs2xx.p50}, p95 ${load.latencyMs2xx.p95} ms); availability of "/" ${figuresOf(journal, 'frontend-through-proxy').availability ?? '-'} %, /api/ ${figuresOf(journal, 'api-through-proxy').availability ?? '-'} %, ` +
          `recovered in ${journal.recovery?.timeToRecoverMs ?? '-'} ms`,
      );
      // The overload is real: 4x the proxy's per-client rate, so some are shed, and the burst and the rate are answered.
      expect(load.achievedRate).toBeGreaterThan(100);
      expect(load.counts['429'] + load.counts['503']).toBeGreaterThan(load.sent / 4);
      expect(load.counts['2xx']).toBeGreaterThan(100);
      // Nothing but answered or shed: no 502/504, no error, no timeout.
      expect(Object.keys(load.byStatus).filter((s) => !['200', '429', '503'].includes(s))).toEqual([]);
      expect(load.counts).toMatchObject({ other: 0, errors: 0, timeouts: 0 });
      // No crash: the load was answered by the API's copies only (one instance each), copy 1 the same
      // before and after, and every copy still in the container it had before.
      expect(load.instances).toHaveLength(rehearsal().outputs.services.api.copies?.length ?? 1);
      expect(instanceOf(journal, 'after')).toBe(instanceOf(journal, 'before'));
      expect(load.instances).toContain(instanceOf(journal, 'before'));
      expect(containersBefore).toHaveLength(load.instances.length);
      expect(apiContainers(rehearsal())).toEqual(containersBefore);
      // The frontend stayed 100 % available through the proxy, and the steady state held right after.
      expect(figuresOf(journal, 'frontend-through-proxy').availability).toBe(100);
      expect(journal.recovery?.met).toBe(true);
      expect(journal.recovery?.samples.length).toBeGreaterThan(100);
      expectSteadyRightAfter(journal, 20_000);
    });

    test('disk-fill.yaml: the cap written into DockerRootDir, df moved by it, services answered while full, the file gone after', async () => {
      const dataDir = docker(rehearsal(), ['info', '--format', '{{.DockerRootDir}}']);
      const run = await runChaos(path.join(EXPERIMENTS, 'disk-fill.yaml'), { journal: path.join(dir, 'disk-fill.json') });
      console.log(`disk-fill.yaml (${(run.ms / 1000).toFixed(1)} s): ${run.stdout.trim()}`);
      expectExit(run, 0);
      const journal = readJournal(run.journal);
      expect(journal.status).toBe('completed');
      expect(journal.steady_states.after?.steady_state_met).toBe(true);

      const fill = fillResult.parse(activityIn(journal.run, 'fill-the-runtime-disk').output);
      const { before, during, after } = fill.df;
      const gib = (n: number): string => (n / 1024 ** 3).toFixed(2);
      console.log(
        `disk fill: ${fill.bytesWritten} bytes (${fill.method}) into ${fill.file}, ${fill.reached} reached (mark needed ${gib(fill.bytesToMark)} GiB); ` +
          `df used ${gib(before.usedBytes)} -> ${gib(during.usedBytes)} -> ${gib(after.usedBytes)} GiB (${before.usedPercent} % -> ${during.usedPercent} % -> ${after.usedPercent} %), ` +
          `held ${fill.heldSeconds} s; availability of "/" ${figuresOf(journal, 'frontend-through-proxy').availability ?? '-'} %, /api/ ${figuresOf(journal, 'api-through-proxy').availability ?? '-'} %`,
      );
      expect(fill.directory).toBe(dataDir);
      expect(path.dirname(fill.file)).toBe(dataDir);
      expect(path.basename(fill.file)).toMatch(/^platform-chaos-fill-\d+$/);
      // This machine's disk has tens of GB free: the 512 MiB cap decides, not the 90 % mark.
      expect(fill.bytesToMark).toBeGreaterThan(fill.maxBytes);
      expect(fill).toMatchObject({ reached: 'cap', bytesWritten: 512 * 1024 * 1024, removed: [fill.file] });
      expect(fill.heldSeconds).toBeGreaterThanOrEqual(19.5);
      // df saw it (other writers share this disk: within 64 MiB), and saw it go.
      expect(Math.abs(during.usedBytes - before.usedBytes - fill.bytesWritten)).toBeLessThan(64 * 1024 * 1024);
      expect(Math.abs(after.usedBytes - before.usedBytes)).toBeLessThan(64 * 1024 * 1024);
      // While full: answered within 1 s (request logging did not block them), the same API instance.
      for (const name of ['api-answers-while-full', 'api-direct-while-full', 'proxy-health-while-full'])
        expect(activityIn(journal.run, name).status).toBe('succeeded');
      expect(instanceOf(journal, 'after')).toBe(instanceOf(journal, 'before'));
      expect(figuresOf(journal, 'frontend-through-proxy').availability).toBe(100);
      expect(figuresOf(journal, 'api-through-proxy').availability).toBe(100);
      expectSteadyRightAfter(journal, 20_000);
      // The rollback ran (idempotent) and found nothing left; nothing is left indeed.
      expect(journal.rollbacks.map((r) => [r.activity.name, r.status])).toEqual([['undo "fill-the-runtime-disk"', 'succeeded']]);
      expect(z.object({ removed: z.array(z.string()) }).parse(journal.rollbacks[0]?.output).removed).toEqual([]);
      expect(readdirSync(dataDir).filter((f) => f.startsWith('platform-chaos-fill-'))).toEqual([]);
      expect(ourProcesses()).toEqual([]);
    });
  },
);
