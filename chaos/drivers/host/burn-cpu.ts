import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import type { HostCommands } from '../../faults/ports';
import { ActivityFailedError } from '../../errors';
import { defineFault } from '../../faults/define-fault';
import { commandLine } from '../../faults/command-words';
import { listContainersCommand } from '../ssh/service-container';
import { sshConnectionArgs } from '../ssh/connection-args';
import { HOST_AND_ORCHESTRATOR, liveHost, overHost, sshTargets } from '../ssh/ssh-targets';
import { parentDir, parseCount, parseCpuQuota, parseKeyValues, type ControllerCgroup } from './container-cgroup';
import {
  CLEANUP_TOOLS,
  fileValue,
  HELPER_TOOLS,
  helperProcesses,
  helperTag,
  killHelperSession,
  killTaggedHelpers,
  launchHelper,
  launchWords,
  prepareHost,
  readHostFiles,
  targetContainer,
  type HelperProcess,
} from './host-helper';

const TAG = helperTag('burn-cpu');

/**
 * Joins the container's cpu (and cpuacct) cgroups, then busy-loops in `workers` subshells, which
 * are born in the container's pid namespace. SIGTERM (the fault's stop, or timeout's) kills and
 * reaps them before the shell exits.
 */
const BURN = [
  'workers=$1; shift',
  'for cg; do echo 0 > "$cg/cgroup.procs" || exit 3; done',
  'pids=',
  "trap 'kill -s KILL $pids 2>/dev/null; wait; exit 0' TERM",
  'i=0',
  'while [ "$i" -lt "$workers" ]; do (while :; do :; done) & pids="$pids $!"; i=$((i + 1)); done',
  'wait',
].join('\n');

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe("Service whose container's CPU cgroup is burned (its names come from the outputs)"),
  durationSeconds: z.number().int().min(1).max(600).describe('Seconds the CPU is burned; the helper is then killed'),
  workers: z.number().int().min(1).max(16).default(1).describe('Busy loops, each up to one CPU (default 1)'),
  ...sshConnectionArgs,
});

/** The cgroup's CPU counters at one moment. */
interface CpuSnapshot {
  /** CPU seconds used by everything in the cgroup since it was made. */
  readonly usageSeconds: number;
  readonly nrPeriods: number | null;
  readonly nrThrottled: number | null;
  readonly throttledSeconds: number | null;
  /** The CFS quota in CPUs, null when none. */
  readonly quotaCpus: number | null;
  /** The parent's quota and throttling: an ECS task-level `cpu` is enforced on the task's cgroup, the container's parent. */
  readonly parent: {
    readonly dir: string;
    readonly quotaCpus: number;
    readonly nrThrottled: number | null;
    readonly throttledSeconds: number | null;
  } | null;
}

function throttling(
  stat: Record<string, number>,
  version: 1 | 2,
): { nrPeriods: number | null; nrThrottled: number | null; throttledSeconds: number | null } {
  const throttledTime = version === 1 ? stat.throttled_time : stat.throttled_usec;
  return {
    nrPeriods: stat.nr_periods ?? null,
    nrThrottled: stat.nr_throttled ?? null,
    throttledSeconds: throttledTime === undefined ? null : throttledTime / (version === 1 ? 1e9 : 1e6),
  };
}

function quotaFiles(dir: string, version: 1 | 2): readonly string[] {
  return version === 1 ? [`${dir}/cpu.cfs_quota_us`, `${dir}/cpu.cfs_period_us`, `${dir}/cpu.stat`] : [`${dir}/cpu.max`, `${dir}/cpu.stat`];
}

function quotaOf(files: Record<string, string>, dir: string, version: 1 | 2): number | null {
  return version === 1
    ? parseCpuQuota(1, { quota: fileValue(files, `${dir}/cpu.cfs_quota_us`), period: fileValue(files, `${dir}/cpu.cfs_period_us`) })
    : parseCpuQuota(2, { max: fileValue(files, `${dir}/cpu.max`) });
}

async function cpuSnapshot(session: HostCommands, cpu: ControllerCgroup, cpuacct: ControllerCgroup): Promise<CpuSnapshot> {
  const v = cpu.version;
  const usageFile = v === 1 ? `${cpuacct.dir}/cpuacct.usage` : `${cpu.dir}/cpu.stat`;
  const parent = parentDir(cpu);
  const files = await readHostFiles(session, [
    ...new Set([usageFile, ...quotaFiles(cpu.dir, v), ...(parent === null ? [] : quotaFiles(parent, v))]),
  ]);
  const stat = parseKeyValues(fileValue(files, `${cpu.dir}/cpu.stat`));
  const usageSeconds = v === 1 ? parseCount(fileValue(files, usageFile), 'cpuacct.usage') / 1e9 : (stat.usage_usec ?? Number.NaN) / 1e6;
  if (Number.isNaN(usageSeconds)) throw new ActivityFailedError(`no usage_usec in ${cpu.dir}/cpu.stat`);
  let parentSnapshot: CpuSnapshot['parent'] = null;
  if (parent !== null && files[`${parent}/cpu.stat`] !== undefined) {
    const quota = quotaOf(files, parent, v);
    const t = throttling(parseKeyValues(fileValue(files, `${parent}/cpu.stat`)), v);
    if (quota !== null)
      parentSnapshot = { dir: parent, quotaCpus: quota, nrThrottled: t.nrThrottled, throttledSeconds: t.throttledSeconds };
  }
  return { usageSeconds, ...throttling(stat, v), quotaCpus: quotaOf(files, cpu.dir, v), parent: parentSnapshot };
}

function minus(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.round((a - b) * 1000) / 1000;
}

/** `host:burn-cpu`: the API's CPU limit used up from inside its own cgroup, so the API competes for what is left of it. */
export const hostBurnCpu = defineFault({
  id: 'host:burn-cpu',
  kind: 'action',
  description:
    "On the host (over SSH or SSM): busy loops in the service's container's cpu cgroup and pid namespace for durationSeconds, then killed; evidence: the cgroup's CPU seconds and throttling before, during and after",
  destructive: true,
  requires: HOST_AND_ORCHESTRATOR,
  args,
  targets: (a, outputs) => sshTargets(a.service, outputs),
  describe: (a, target) =>
    `${overHost(target.use('host'))}: ${commandLine(listContainersCommand(target.use('orchestrator').containerLabels(a.service)))}, then for its main process: setsid timeout -s TERM -k 5 ${a.durationSeconds + 10} nsenter --target <pid> --pid --no-fork -- sh -c <join its cpu and cpuacct cgroups, ${a.workers} busy loop(s) in its pid namespace> ${TAG}; after ${a.durationSeconds}s SIGTERM its process group`,
  live: (a, target, signal) => liveHost('burn the CPU cgroup of', a.service, target, signal),
  async run(ctx, a) {
    ctx.use('orchestrator').containerLabels(a.service);
    const host = ctx.use('host');
    return host.withSession(a, ctx.signal, async (session) => {
      const prepared = await prepareHost(session, 'host:burn-cpu', host.where, HELPER_TOOLS);
      const target = await targetContainer(ctx, session, a.service, ['cpu', 'cpuacct']);
      const { cpu, cpuacct } = target.cgroups;
      if (cpu === undefined || cpuacct === undefined) throw new ActivityFailedError('no cpu cgroup found');
      const words = launchWords(prepared.asRoot, {
        tag: TAG,
        // The fault kills it after durationSeconds; timeout is the bound should the run die first.
        seconds: a.durationSeconds + 10,
        pid: target.state.pid,
        containerId: target.state.id,
        script: BURN,
        args: [String(a.workers), ...new Set([cpu.dir, cpuacct.dir])],
      });
      const before = await cpuSnapshot(session, cpu, cpuacct);
      ctx.log.info(
        `burning ${cpu.dir} with ${a.workers} loop(s) for ${a.durationSeconds}s (quota ${before.quotaCpus ?? before.parent?.quotaCpus ?? 'none'} CPUs)`,
      );
      const sid = await launchHelper(session, words);
      const startedAt = ctx.clock.now();
      let helpers: HelperProcess[] = [];
      while (helpers.filter((h) => h.inCgroup).length < a.workers + 1 && ctx.clock.now() - startedAt < 3000) {
        await ctx.clock.sleep(100, ctx.signal);
        helpers = await helperProcesses(session, sid, cpu);
      }
      if (!helpers.some((h) => h.inCgroup)) {
        await killHelperSession(session, prepared.asRoot, sid);
        throw new ActivityFailedError(`the helper did not join ${cpu.dir} within 3 s (seen: ${JSON.stringify(helpers)})`);
      }
      await ctx.clock.sleep(Math.max(0, startedAt + a.durationSeconds * 1000 - ctx.clock.now()), ctx.signal);
      const during = await cpuSnapshot(session, cpu, cpuacct);
      const heldMs = ctx.clock.now() - startedAt;
      const left = await killHelperSession(session, prepared.asRoot, sid);
      const after = await cpuSnapshot(session, cpu, cpuacct);
      if (left.length > 0) throw new ActivityFailedError(`the helper's processes ${left.join(' ')} still run after SIGKILL`);
      const burned = during.usageSeconds - before.usageSeconds;
      return {
        service: a.service,
        host: host.where,
        containerName: target.container.name,
        container: target.container.id,
        pid: target.state.pid,
        cgroup: { version: cpu.version, cpu: cpu.dir, cpuacct: cpuacct.dir },
        workers: a.workers,
        heldMs,
        helper: { sessionId: sid, processes: helpers.map((h) => ({ ...h })), command: commandLine(words), left },
        before: { ...before },
        during: { ...during },
        after: { ...after },
        cpuSecondsBurned: Math.round(burned * 1000) / 1000,
        cpusUsed: Math.round((burned / (heldMs / 1000)) * 1000) / 1000,
        throttledPeriods: minus(during.nrThrottled, before.nrThrottled),
        parentThrottledPeriods: minus(during.parent?.nrThrottled ?? null, before.parent?.nrThrottled ?? null),
        stoppedAt: new Date(ctx.clock.now()).toISOString(),
      };
    });
  },
  async rollback(ctx, a) {
    const host = ctx.use('host');
    return host.withSession(a, ctx.signal, async (session) => {
      const prepared = await prepareHost(session, 'host:burn-cpu', host.where, CLEANUP_TOOLS);
      const { killed, left } = await killTaggedHelpers(session, prepared.asRoot, TAG);
      if (left.length > 0)
        throw new ActivityFailedError(`helpers tagged ${TAG} still run on ${host.where} after SIGKILL: ${left.join(' ')}`);
      return { tag: TAG, killed, left };
    });
  },
});
