import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { defineFault } from '../../faults/define-fault';
import { commandLine } from '../../faults/command-words';
import { listContainersCommand, signalServiceContainer } from './service-container';
import { sshConnectionArgs } from './connection-args';
import { HOST_AND_ORCHESTRATOR, liveHost, overHost, sshTargets } from './ssh-targets';

/** Signals worth sending to a container; a closed list, since the name reaches the remote shell. */
const SIGNALS = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const;

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe('Service whose container is killed (its names come from the outputs)'),
  signal: z.enum(SIGNALS).default('SIGKILL').describe('Signal sent by docker kill (default SIGKILL: no graceful shutdown)'),
  ...sshConnectionArgs,
});

/** `ssh:docker-kill`: like `ssh:docker-stop`, without the grace period (or with another signal). */
export const sshDockerKill = defineFault({
  id: 'ssh:docker-kill',
  kind: 'action',
  description: "docker kill a service's container on the host, over SSH or SSM (SIGKILL by default), matched exactly by label",
  destructive: true,
  requires: HOST_AND_ORCHESTRATOR,
  args,
  targets: (a, outputs) => sshTargets(a.service, outputs),
  describe: (a, target) =>
    `${overHost(target.use('host'))}: ${commandLine(listContainersCommand(target.use('orchestrator').containerLabels(a.service)))}, then docker kill --signal ${a.signal} <the one container found>`,
  live: (a, target, signal) => liveHost('docker kill', a.service, target, signal),
  async run(ctx, a) {
    // Names are checked (and the command built) before any connection is made.
    ctx.use('orchestrator').containerLabels(a.service);
    const killed = await ctx
      .use('host')
      .withSession(a, ctx.signal, (session) =>
        signalServiceContainer(ctx, session, a.service, 'ssh:docker-kill', (id) => ['docker', 'kill', '--signal', a.signal, id]),
      );
    return {
      service: a.service,
      host: ctx.use('host').where,
      signal: a.signal,
      stoppedContainer: killed.container.id,
      containerName: killed.container.name,
      startedAt: killed.startedAt,
      command: killed.command,
      stoppedAt: new Date(ctx.clock.now()).toISOString(),
    };
  },
});
