/**
 * The resource faults of chaos/drivers/host end to end, for real: the chaos CLI as a child process
 * against the local rehearsal, each fault acting inside the API container's cgroups from the host
 * (over the rehearsal's sshd, as root), judged by the journal AND by what the container runtime
 * and the kernel say on their own (docker inspect of the killed container, the cgroup's
 * cpuacct.usage read here), and afterwards nothing left: no process with platform-chaos in its
 * argv on this machine.
 *
 * - api-memory-exhaustion.yaml: the kernel OOM-kills the API (OOMKilled, exit 137), swarm replaces it.
 * - api-cpu-saturation.yaml: the cgroup's CPU time rises, capped by its quota; the API answers, slower.
 * - api-process-kill.yaml: SIGKILL by host pid, exit 137 without an OOM, swarm replaces it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { SERVICES } from '../../contract/services';
import { expectExit, runChaos } from './support/chaos-cli';
import { expectPlausibleRecovery } from './support/experiment-checks';
import { activityIn, figuresOf, outputs, probeIn, readJournal, type Journal } from './support/journal';
import { missingForRehearsal, REPO_ROOT } from './support/rehearsal-cli';
import { describeIfPossible, holdRehearsal, waitForSteadyState, type Rehearsal } from './support/rehearsal-session';

const EXPERIMENTS = path.join(REPO_ROOT, 'chaos', 'experiments');
const MIB = 1024 * 1024;

const memoryResult = z.object({
  stoppedContainer: z.string(),
  containerId: z.string(),
  oomOrder: z.string(),
  pid: z.number(),
  cgroup: z.object({ version: z.number(), dir: z.string() }),
  memoryLimitBytes: z.number(),
  memoryUsageBeforeBytes: z.number(),
  maxBytes: z.number(),
  oomKilled: z.boolean(),
  exitCode: z.number().nullable(),
  runtimeEvents: z.object({ oom: z.boolean(), dieExitCodes: z.array(z.number()) }),
  helper: z.object({ left: z.array(z.number()) }),
  killedAfterMs: z.number(),
});
const snapshot = z.object({ usageSeconds: z.number(), nrThrottled: z.number().nullable(), quotaCpus: z.number().nullable() });
const cpuResult = z.object({
  container: z.string(),
  heldMs: z.number(),
  helper: z.object({ processes: z.array(z.object({ pid: z.number(), inCgroup: z.boolean() })), left: z.array(z.number()) }),
  before: snapshot,
  during: snapshot,
  after: snapshot,
  cpuSecondsBurned: z.number(),
  cpusUsed: z.number(),
  throttledPeriods: z.number().nullable(),
});
const killResult = z.object({
  stoppedContainer: z.string(),
  containerId: z.string(),
  pid: z.number(),
  signal: z.string(),
  exitCode: z.number().nullable(),
  oomKilled: z.boolean(),
  endedAfterMs: z.number(),
});
const latency = z.object({ status: z.number(), latencyMs: z.number() });

function docker(rehearsal: Rehearsal, args: readonly string[]): string {
  const result = spawnSync('docker', args, { env: { ...process.env, ...rehearsal.dockerEnv }, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * What the runtime itself recorded of a container's end (its events: swarm keeps one old task per
 * slot here, so the killed container may already be removed), asked here rather than taken from the journal.
 */
function runtimeRecord(rehearsal: Rehearsal, id: string, since: number): { oom: boolean; dieExitCodes: number[] } {
  const lines = docker(rehearsal, [
    'events',
    '--since',
    String(Math.floor(since / 1000) - 2),
    '--until',
    String(Math.ceil(Date.now() / 1000)),
    '--filter',
    `container=${id}`,
    '--format',
    '{{.Action}} {{index .Actor.Attributes "exitCode"}}',
  ]).split('\n');
  return {
    oom: lines.some((l) => l.startsWith('oom')),
    dieExitCodes: lines.filter((l) => l.startsWith('die ')).map((l) => Number(l.slice(4))),
  };
}

/** Processes on this machine with platform-chaos in their argv (the helpers' tag), this `ps` aside. */
function taggedProcesses(): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter((line) => line.includes('platform-chaos') && !line.includes('ps -eo'));
}

/** The running container of the API's copy 1, full id. */
function apiContainer(rehearsal: Rehearsal): string {
  // Copy 1: the one the host faults act on (the outputs' containerName).
  const id = docker(rehearsal, [
    'ps',
    '--no-trunc',
    '--filter',
    'label=platform.service=api',
    '--filter',
    'label=platform.copy=1',
    '--format',
    '{{.ID}}',
  ]);
  expect(id).toMatch(/^[0-9a-f]{64}$/);
  return id;
}

/** The stop-style checks: a new task and container, a new API instance, the frontend untouched. */
function expectReplacedApi(journal: Journal, stopped: string): void {
  const before = outputs.stable.parse(probeIn(journal.steady_states.before, 'api-runs-as-desired').output);
  const after = outputs.stable.parse(probeIn(journal.steady_states.after, 'api-runs-as-desired').output);
  expect(after.runningTasks).toHaveLength(1);
  expect(after.runningTasks).not.toContain(before.runningTasks[0]);
  const running = outputs.containerRunning.parse(probeIn(journal.steady_states.after, 'api-container-running').output);
  expect(running.replaced).toBe(true);
  expect(running.containers[0]?.id.slice(0, 12)).not.toBe(stopped.slice(0, 12));
  const instance = outputs.directGet.parse(probeIn(journal.steady_states.after, 'api-is-a-new-instance').output);
  expect(instance.newInstance).toBe(true);
  expect(figuresOf(journal, 'frontend-through-proxy').availability).toBe(100);
  expect(figuresOf(journal, 'frontend-through-proxy').maxConsecutiveFailures).toBe(0);
}

function expectCompleted(journal: Journal): void {
  expect(journal.status).toBe('completed');
  expect(journal.deviated).toBe(false);
  expect(journal.steady_states.before?.steady_state_met).toBe(true);
  expect(journal.steady_states.after?.steady_state_met).toBe(true);
}

describeIfPossible(missingForRehearsal(), 'the resource faults against the rehearsal')(
  'resource faults inside the API container, against the rehearsal',
  () => {
    const rehearsal = holdRehearsal();
    let dir = '';
    const journalOf = (name: string): string => path.join(dir, `${name}.json`);

    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'e2e-faults-resources-'));
    });

    beforeEach(async () => {
      await waitForSteadyState(rehearsal());
      expect(taggedProcesses()).toEqual([]);
    });

    afterEach(() => {
      // Nothing of a helper outlives its run, whatever the run did.
      expect(taggedProcesses()).toEqual([]);
    });

    afterAll(() => {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    test('api-memory-exhaustion.yaml: the kernel OOM-kills the API, not the helper; swarm replaces it; frontend 100 %', async () => {
      const started = Date.now();
      const run = await runChaos(path.join(EXPERIMENTS, 'api-memory-exhaustion.yaml'), { journal: journalOf('memory') });
      expectExit(run, 0);
      const journal = readJournal(run.journal);
      expectCompleted(journal);
      expectPlausibleRecovery(journal);
      const fault = memoryResult.parse(activityIn(journal.run, 'exhaust-api-memory').output);
      console.log(
        `api-memory-exhaustion (${fault.oomOrder}): OOM kill ${fault.killedAfterMs} ms after the helper started; usage before ${(fault.memoryUsageBeforeBytes / MIB).toFixed(1)} MiB of ${fault.memoryLimitBytes / MIB} MiB; time to recover ${journal.recovery?.timeToRecoverMs} ms, detect ${journal.recovery?.timeToDetectMs} ms`,
      );
      expect(fault.memoryLimitBytes).toBe(SERVICES.api.defaultMemoryMiB * MIB);
      expect(fault.memoryUsageBeforeBytes).toBeLessThan(fault.memoryLimitBytes);
      expect(fault.maxBytes).toBeGreaterThan(fault.memoryLimitBytes);
      expect(fault.cgroup.dir).toMatch(/^\/sys\/fs\/cgroup\/memory\/docker\/[0-9a-f]{64}$/);
      expect(fault.oomKilled).toBe(true);
      expect(fault.exitCode).toBe(137);
      expect(fault.runtimeEvents.oom).toBe(true);
      expect(fault.helper.left).toEqual([]);
      // The runtime's own record of the killed container: the main process (the API) died of the OOM kill.
      expect(runtimeRecord(rehearsal(), fault.containerId, started)).toEqual({ oom: true, dieExitCodes: [137] });
      expectReplacedApi(journal, fault.stoppedContainer);
      expect(journal.rollbacks.map((r) => [r.activity.name, r.status])).toEqual([['undo "exhaust-api-memory"', 'succeeded']]);
    });

    test('api-cpu-saturation.yaml: the CPU time of the cgroup rises, capped by its quota; the API answers slower; frontend 100 %', async () => {
      const rehearsalNow = rehearsal();
      const id = apiContainer(rehearsalNow);
      const usageFile = `/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`;
      const usageBefore = Number(readFileSync(usageFile, 'utf8')) / 1e9;
      const quota = docker(rehearsalNow, ['inspect', '--format', '{{.HostConfig.NanoCpus}}', id]);
      expect(Number(quota) / 1e9).toBe((SERVICES.api.cpuLimitUnits ?? 0) / 1024);

      const run = await runChaos(path.join(EXPERIMENTS, 'api-cpu-saturation.yaml'), { journal: journalOf('cpu') });
      expectExit(run, 0);
      const usageAfter = Number(readFileSync(usageFile, 'utf8')) / 1e9;
      const journal = readJournal(run.journal);
      expectCompleted(journal);
      const fault = cpuResult.parse(activityIn(journal.run, 'burn-api-cpu').output);
      const before = latency.parse(activityIn(journal.run, 'api-latency-before-burn').output);
      const during = [1, 2, 3, 4, 5].map((i) => latency.parse(activityIn(journal.run, `api-latency-during-burn-${i}`).output));
      const sorted = during.map((d) => d.latencyMs).sort((a, b) => a - b);
      console.log(
        `api-cpu-saturation: ${fault.cpuSecondsBurned} CPU s in ${fault.heldMs} ms (${fault.cpusUsed} CPUs, quota ${fault.before.quotaCpus}), ${fault.throttledPeriods} throttled periods; /api/status ${before.latencyMs} ms before, during ${sorted.join(', ')} ms; cgroup usage read here +${(usageAfter - usageBefore).toFixed(2)} s`,
      );
      expect(fault.container).toBe(id.slice(0, 12));
      expect(fault.before.quotaCpus).toBe(0.25);
      expect(fault.helper.processes.filter((p) => p.inCgroup).length).toBeGreaterThanOrEqual(3);
      // About the quota for the whole burn (at least 60 % of it on a loaded machine), never beyond it.
      const quotaSeconds = 0.25 * (fault.heldMs / 1000);
      expect(fault.cpuSecondsBurned).toBeGreaterThan(0.6 * quotaSeconds);
      expect(fault.cpusUsed).toBeLessThan(0.25 * 1.15);
      expect(fault.throttledPeriods).toBeGreaterThan(10);
      // The kernel's counter, read here and not by the fault, saw the same CPU time.
      expect(usageAfter - usageBefore).toBeGreaterThanOrEqual(fault.cpuSecondsBurned * 0.95);
      // Killed after the burn: the counter stops rising.
      expect(fault.after.usageSeconds - fault.during.usageSeconds).toBeLessThan(0.25);
      expect(fault.helper.left).toEqual([]);
      // Answered throughout, within the probes' 2 s bar (far inside the proxy's 30 s), and slower.
      expect(during.map((d) => d.status)).toEqual([200, 200, 200, 200, 200]);
      expect(sorted[sorted.length - 1]).toBeGreaterThan(before.latencyMs);
      // Not restarted: the same API instance answered before and after, in the same container.
      const instanceBefore = outputs.directGet.parse(probeIn(journal.steady_states.before, 'api-instance').output).instance;
      const instanceAfter = outputs.directGet.parse(probeIn(journal.steady_states.after, 'api-instance').output).instance;
      expect(instanceAfter).toBe(instanceBefore);
      expect(apiContainer(rehearsalNow)).toBe(id);
      expect(figuresOf(journal, 'frontend-through-proxy').availability).toBe(100);
      expect(figuresOf(journal, 'api-through-proxy').availability).toBe(100);
      expect(journal.rollbacks.map((r) => [r.activity.name, r.status])).toEqual([['undo "burn-api-cpu"', 'succeeded']]);
    });

    test('api-process-kill.yaml: SIGKILL by host pid ends the API with 137 (no OOM); swarm replaces it; frontend 100 %', async () => {
      const pidBefore = Number(docker(rehearsal(), ['inspect', '--format', '{{.State.Pid}}', apiContainer(rehearsal())]));
      const started = Date.now();
      const run = await runChaos(path.join(EXPERIMENTS, 'api-process-kill.yaml'), { journal: journalOf('kill') });
      expectExit(run, 0);
      const journal = readJournal(run.journal);
      expectCompleted(journal);
      expectPlausibleRecovery(journal);
      const fault = killResult.parse(activityIn(journal.run, 'kill-api-process').output);
      console.log(
        `api-process-kill: pid ${fault.pid} ended ${fault.endedAfterMs} ms after SIGKILL; time to recover ${journal.recovery?.timeToRecoverMs} ms, detect ${journal.recovery?.timeToDetectMs} ms`,
      );
      expect(fault.pid).toBe(pidBefore);
      expect(fault.signal).toBe('SIGKILL');
      expect(fault.exitCode).toBe(137);
      expect(fault.oomKilled).toBe(false);
      expect(runtimeRecord(rehearsal(), fault.containerId, started)).toEqual({ oom: false, dieExitCodes: [137] });
      expectReplacedApi(journal, fault.stoppedContainer);
    });
  },
);
