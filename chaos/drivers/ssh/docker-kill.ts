import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { defineFault } from '../../faults/define-fault';
import { commandLine } from '../../adapters/ssh/remote-words';
import { listContainersCommand, signalServiceContainer } from './service-container';
import { processSshEnvironment, resolveSshSettings, sshConnectionArgs } from '../../adapters/ssh/ssh-settings';
import { withSshSession } from '../../adapters/ssh/ssh-session';
import { sshTargets, sshWhere } from './ssh-targets';

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
  description: "docker kill a service's container on the host over SSH (SIGKILL by default), matched exactly by label",
  destructive: true,
  args,
  targets: (a, outputs) => sshTargets(a.service, outputs),
  describe: (a, outputs) =>
    `over SSH to ${sshWhere(outputs)}: ${commandLine(listContainersCommand(outputs, a.service))}, then docker kill --signal ${a.signal} <the one container found>`,
  async run(ctx, a) {
    listContainersCommand(ctx.outputs, a.service);
    const settings = resolveSshSettings(a, ctx.outputs, processSshEnvironment());
    const killed = await withSshSession(settings, ctx.signal, (session) =>
      signalServiceContainer(ctx, session, a.service, 'ssh:docker-kill', (id) => ['docker', 'kill', '--signal', a.signal, id]),
    );
    return {
      service: a.service,
      host: sshWhere(ctx.outputs),
      signal: a.signal,
      stoppedContainer: killed.container.id,
      containerName: killed.container.name,
      startedAt: killed.startedAt,
      command: killed.command,
      stoppedAt: new Date(ctx.clock.now()).toISOString(),
    };
  },
});
