import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import { defineFault } from '../../faults/define-fault';
import { commandLine } from '../../faults/command-words';
import { listContainersCommand } from '../ssh/service-container';
import { sshConnectionArgs } from '../ssh/connection-args';
import { HOST_AND_ORCHESTRATOR, liveHost, overHost, sshTargets } from '../ssh/ssh-targets';
import { memoryFiles, parseCount, parseKeyValues, parseLimit } from './container-cgroup';
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
  remoteShell,
  runtimeEvents,
  targetContainer,
  waitForContainerEnd,
  type HelperProcess,
} from './host-helper';

/** How often, and how far apart, the runtime's events are read again for a late `oom` event (2 s at most). */
const EVENT_RETRIES = 10;
const EVENT_RETRY_MS = 200;

const MIB = 1024 * 1024;
const TAG = helperTag('exhaust-memory');

/**
 * Joins the container's memory cgroup and, when the host allows it (`protect` 1), makes itself and
 * so its children the OOM killer's last choice (oom_score_adj -1000); then holds up to `bytes` of
 * anonymous memory in children born in the container's pid namespace (`tail` keeps every byte of
 * a stream without a newline). SIGTERM kills and reaps them before the shell exits.
 */
const ALLOCATE = [
  'cg=$1; bytes=$2; protect=$3',
  'echo 0 > "$cg/cgroup.procs" || exit 3',
  'if [ "$protect" = 1 ]; then echo -1000 > /proc/self/oom_score_adj || exit 4; fi',
  'pids=',
  "trap 'kill -s KILL $pids 2>/dev/null; wait; exit 0' TERM",
  'head -c "$bytes" /dev/zero | tail > /dev/null &',
  'pids=$!',
  'wait',
].join('\n');

/**
 * The OOM killer's order when the helper cannot lower its own score: a host without
 * CAP_SYS_RESOURCE for root (some sandboxes) refuses a negative oom_score_adj, but anyone may raise
 * one, so the container's main process is raised to +1000 instead, after checking that the pid is
 * still the container's.
 */
const RAISE_MAIN = [
  'pid=$1; id=$2',
  'grep -q -F -- "$id" "/proc/$pid/cgroup" || { echo "process $pid is not in container $id any more" >&2; exit 3; }',
  'cat "/proc/$pid/oom_score_adj"',
  'echo 1000 > "/proc/$pid/oom_score_adj"',
].join('\n');

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe("Service whose container's memory cgroup is filled (its names come from the outputs)"),
  maxBytes: z
    .number()
    .int()
    .min(MIB)
    .max(64 * 1024 * MIB)
    .describe('Hard cap on the bytes the helper allocates (1 MiB to 64 GiB); above the memory limit, or the kernel never has to kill'),
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(600)
    .default(30)
    .describe('Seconds the helper may live, and the fault waits for the OOM kill (default 30)'),
  ...sshConnectionArgs,
});

/**
 * `host:exhaust-memory`: memory pressure inside the container's own cgroup until the kernel
 * OOM-kills its main process, with no help from the application (the API's image has no shell).
 */
export const hostExhaustMemory = defineFault({
  id: 'host:exhaust-memory',
  kind: 'action',
  description:
    "On the host (over SSH or SSM): a helper in the service's container's memory cgroup and pid namespace (oom_score_adj -1000) allocates up to maxBytes until the kernel OOM-kills the container's main process; evidence: the limit, the usage before, OOMKilled and the exit code",
  destructive: true,
  requires: HOST_AND_ORCHESTRATOR,
  args,
  targets: (a, outputs) => sshTargets(a.service, outputs),
  describe: (a, target) =>
    `${overHost(target.use('host'))}: ${commandLine(listContainersCommand(target.use('orchestrator').containerLabels(a.service)))}, then for its main process (docker inspect .State.Pid): setsid timeout -s TERM -k 5 ${a.timeoutSeconds} nsenter --target <pid> --pid --no-fork -- sh -c <join its memory cgroup, oom_score_adj -1000 (else the main process's raised to 1000), head -c ${a.maxBytes} /dev/zero | tail> ${TAG}; wait up to ${a.timeoutSeconds}s for the OOM kill`,
  live: (a, target, signal) => liveHost('fill the memory cgroup of', a.service, target, signal),
  async run(ctx, a) {
    ctx.use('orchestrator').containerLabels(a.service);
    const host = ctx.use('host');
    return host.withSession(a, ctx.signal, async (session) => {
      const prepared = await prepareHost(session, 'host:exhaust-memory', host.where, [...HELPER_TOOLS, 'head', 'tail']);
      const target = await targetContainer(ctx, session, a.service, ['memory']);
      const cgroup = target.cgroups.memory;
      if (cgroup === undefined) throw new ActivityFailedError('no memory cgroup found');
      const files = memoryFiles(cgroup);
      const before = await readHostFiles(session, [files.limit, files.usage, files.events]);
      const limitBytes = parseLimit(fileValue(before, files.limit));
      if (limitBytes === null)
        throw new ActivityFailedError(
          `the container ${target.container.name} has no memory limit (${files.limit}): filling it would fill the host, refused`,
        );
      const usageBeforeBytes = parseCount(fileValue(before, files.usage), 'memory usage');
      const oomKillsBefore = parseKeyValues(before[files.events] ?? '').oom_kill ?? null;

      // Can the helper put itself last in the OOM killer's order? Tried on a throwaway shell.
      const protect =
        (await session.exec([...prepared.asRoot, 'sh', '-c', 'echo -1000 > /proc/self/oom_score_adj', 'chaos-check-oom-adj'])).code === 0;
      const mainAdjBefore = protect
        ? null
        : Number(
            (
              await remoteShell(session, prepared.asRoot, RAISE_MAIN, 'chaos-raise-oom-adj', [String(target.state.pid), target.state.id])
            ).trim(),
          );
      const oomOrder = protect
        ? 'helper oom_score_adj -1000'
        : `the host refuses a negative oom_score_adj (no CAP_SYS_RESOURCE): the container's main process raised from ${String(mainAdjBefore)} to 1000`;
      const words = launchWords(prepared.asRoot, {
        tag: TAG,
        seconds: a.timeoutSeconds,
        pid: target.state.pid,
        containerId: target.state.id,
        script: ALLOCATE,
        args: [cgroup.dir, String(a.maxBytes), protect ? '1' : '0'],
      });
      ctx.log.info(
        `filling ${cgroup.dir} (limit ${limitBytes} bytes, ${usageBeforeBytes} used) with up to ${a.maxBytes} bytes, pid ${target.state.pid} of ${target.container.name}`,
      );
      const launchedAt = ctx.clock.now();
      const sid = await launchHelper(session, words);
      let helpers: HelperProcess[] = [];
      const end = await waitForContainerEnd(ctx, session, target.state, launchedAt + a.timeoutSeconds * 1000 + 2000, async () => {
        const now = await helperProcesses(session, sid, cgroup);
        if (now.length > helpers.length) helpers = now;
        // setsid runs a moment after the launch returns: an empty session then is not an end yet.
        return now.length > 0 || ctx.clock.now() - launchedAt < 1000;
      });
      const left = await killHelperSession(session, prepared.asRoot, sid);
      if (!end.ended) {
        if (mainAdjBefore !== null)
          await session.exec([
            ...prepared.asRoot,
            'sh',
            '-c',
            'echo "$2" > "/proc/$1/oom_score_adj"',
            'chaos-restore-oom-adj',
            String(target.state.pid),
            String(mainAdjBefore),
          ]);
        const usage = await readHostFiles(session, [files.usage]);
        throw new ActivityFailedError(
          `${target.container.name} was not OOM-killed within ${Math.round(end.waitedMs / 1000)} s (limit ${limitBytes} bytes, usage now ${usage[files.usage] ?? '?'}; the helper ${left.length === 0 ? 'ended' : 'was killed'}): is maxBytes ${a.maxBytes} above the limit?`,
        );
      }
      const killedAt = ctx.clock.now();
      ctx.record.stopped({
        fault: 'host:exhaust-memory',
        service: a.service,
        unit: 'container',
        id: target.container.id,
        at: killedAt,
        startedAt: target.state.startedAt,
      });
      // The runtime publishes its `oom` event asynchronously, at times just after the container's
      // end is visible: read the events again, briefly, until both the oom and the die are there.
      let events = await runtimeEvents(session, target.state.id, prepared.nowSeconds - 5);
      for (let i = 0; i < EVENT_RETRIES && !(events.oom && events.dieExitCodes.length > 0); i += 1) {
        await ctx.clock.sleep(EVENT_RETRY_MS, ctx.signal);
        events = await runtimeEvents(session, target.state.id, prepared.nowSeconds - 5);
      }
      // Restarted in place (ECS), the container is running again and its OOMKilled is reset: the runtime's events keep the kill.
      const exited = end.state.status !== 'running';
      const exitCode = exited ? end.state.exitCode : (events.dieExitCodes.at(-1) ?? null);
      const oomKilled = (exited && end.state.oomKilled) || events.oom;
      const result = {
        service: a.service,
        host: host.where,
        stoppedContainer: target.container.id,
        containerName: target.container.name,
        pid: target.state.pid,
        cgroup: { version: cgroup.version, dir: cgroup.dir },
        memoryLimitBytes: limitBytes,
        memoryUsageBeforeBytes: usageBeforeBytes,
        oomKillsBefore,
        oomOrder,
        maxBytes: a.maxBytes,
        containerId: target.state.id,
        helper: { sessionId: sid, processes: helpers.map((h) => ({ ...h })), command: commandLine(words), left },
        oomKilled,
        exitCode,
        containerStatus: end.state.status,
        runtimeEvents: { oom: events.oom, dieExitCodes: events.dieExitCodes },
        killedAfterMs: killedAt - launchedAt,
        startedAt: target.state.startedAt,
        stoppedAt: new Date(killedAt).toISOString(),
      };
      if (!oomKilled)
        throw new ActivityFailedError(
          `${target.container.name} ended (${end.state.status}, exit ${String(exitCode)}) but the runtime recorded no OOM kill: ${JSON.stringify(result.runtimeEvents)}`,
        );
      return result;
    });
  },
  async rollback(ctx, a) {
    const host = ctx.use('host');
    return host.withSession(a, ctx.signal, async (session) => {
      const prepared = await prepareHost(session, 'host:exhaust-memory', host.where, CLEANUP_TOOLS);
      const { killed, left } = await killTaggedHelpers(session, prepared.asRoot, TAG);
      if (left.length > 0)
        throw new ActivityFailedError(`helpers tagged ${TAG} still run on ${host.where} after SIGKILL: ${left.join(' ')}`);
      return { tag: TAG, killed, left };
    });
  },
});
