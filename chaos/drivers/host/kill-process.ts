import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import { defineFault } from '../../faults/define-fault';
import { commandLine } from '../../faults/command-words';
import { listContainersCommand } from '../ssh/service-container';
import { sshConnectionArgs } from '../ssh/connection-args';
import { HOST_AND_ORCHESTRATOR, liveHost, overHost, sshTargets } from '../ssh/ssh-targets';
import { prepareHost, runtimeEvents, targetContainer, waitForContainerEnd } from './host-helper';

/** Signals worth sending to a main process; a closed list, since the name reaches the remote shell. */
const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGSEGV', 'SIGABRT'] as const;

/**
 * Signals the pid only while it is still the container's main process (its cgroup file names the
 * container's id), so a pid reused between `docker inspect` and the kill is never hit.
 */
const KILL = [
  'pid=$1; id=$2; sig=$3',
  'grep -q -F -- "$id" "/proc/$pid/cgroup" || { echo "process $pid is not in container $id any more" >&2; exit 3; }',
  'kill -s "$sig" "$pid"',
].join('\n');

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe("Service whose container's main process is signalled (its names come from the outputs)"),
  signal: z
    .enum(SIGNALS)
    .default('SIGKILL')
    .describe('Signal sent with kill to the host pid (default SIGKILL: no graceful shutdown, no runtime involved)'),
  waitSeconds: z.number().int().min(1).max(300).default(15).describe('Seconds to wait for the main process to end (default 15)'),
  ...sshConnectionArgs,
});

/**
 * `host:kill-process`: `kill` of the container's main process by its host pid, as a crash or the
 * kernel would end it: the container runtime is not asked (unlike `ssh:docker-kill`), so it only
 * learns of the death, as it would of a segfault.
 */
export const hostKillProcess = defineFault({
  id: 'host:kill-process',
  kind: 'action',
  description:
    "On the host (over SSH or SSM): kill (SIGKILL by default) the service's container's main process by its host pid, without the container runtime; evidence: the pid and the container's exit code",
  destructive: true,
  requires: HOST_AND_ORCHESTRATOR,
  args,
  targets: (a, outputs) => sshTargets(a.service, outputs),
  describe: (a, target) =>
    `${overHost(target.use('host'))}: ${commandLine(listContainersCommand(target.use('orchestrator').containerLabels(a.service)))}, then kill -s ${a.signal.slice(3)} <its main process's host pid (docker inspect .State.Pid)>; wait up to ${a.waitSeconds}s for it to end`,
  live: (a, target, signal) => liveHost(`kill -s ${a.signal.slice(3)} the main process of`, a.service, target, signal),
  async run(ctx, a) {
    ctx.use('orchestrator').containerLabels(a.service);
    const host = ctx.use('host');
    return host.withSession(a, ctx.signal, async (session) => {
      const prepared = await prepareHost(session, 'host:kill-process', host.where, ['grep']);
      const target = await targetContainer(ctx, session, a.service, []);
      const words = [
        ...prepared.asRoot,
        'sh',
        '-c',
        KILL,
        'chaos-kill-process',
        String(target.state.pid),
        target.state.id,
        a.signal.slice(3),
      ];
      ctx.log.info(`kill -s ${a.signal.slice(3)} ${target.state.pid} (main process of ${target.container.name}) on ${host.where}`);
      const sentAt = ctx.clock.now();
      const sent = await session.exec(words);
      if (sent.code !== 0)
        throw new ActivityFailedError(
          `kill of pid ${target.state.pid} on ${host.where} exited with ${String(sent.code)}: ${sent.stderr.trim().split('\n')[0] ?? ''}`,
        );
      const end = await waitForContainerEnd(ctx, session, target.state, sentAt + a.waitSeconds * 1000);
      if (!end.ended)
        throw new ActivityFailedError(
          `pid ${target.state.pid} of ${target.container.name} still runs ${a.waitSeconds} s after ${a.signal}`,
        );
      const endedAt = ctx.clock.now();
      ctx.record.stopped({
        fault: 'host:kill-process',
        service: a.service,
        unit: 'container',
        id: target.container.id,
        at: endedAt,
        startedAt: target.state.startedAt,
      });
      const events = await runtimeEvents(session, target.state.id, prepared.nowSeconds - 5);
      const exited = end.state.status !== 'running';
      return {
        service: a.service,
        host: host.where,
        signal: a.signal,
        pid: target.state.pid,
        stoppedContainer: target.container.id,
        containerId: target.state.id,
        containerName: target.container.name,
        command: commandLine(words),
        exitCode: exited ? end.state.exitCode : (events.dieExitCodes.at(-1) ?? null),
        containerStatus: end.state.status,
        oomKilled: exited && end.state.oomKilled,
        runtimeEvents: { oom: events.oom, dieExitCodes: events.dieExitCodes },
        endedAfterMs: endedAt - sentAt,
        startedAt: target.state.startedAt,
        stoppedAt: new Date(endedAt).toISOString(),
      };
    });
  },
});
