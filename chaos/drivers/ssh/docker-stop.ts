import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { defineFault } from '../../faults/define-fault';
import { listContainersCommand, signalServiceContainer } from './service-container';
import { commandLine } from '../../adapters/ssh/remote-words';
import { processSshEnvironment, resolveSshSettings, sshConnectionArgs } from '../../adapters/ssh/ssh-settings';
import { sshTargets, sshWhere } from './ssh-targets';
import { withSshSession } from '../../adapters/ssh/ssh-session';

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe('Service whose container is stopped (its names come from the outputs)'),
  stopTimeoutSeconds: z
    .number()
    .int()
    .min(0)
    .max(600)
    .optional()
    .describe("Seconds docker waits after SIGTERM before SIGKILL (default: the container's own)"),
  ...sshConnectionArgs,
});

/** `ssh:docker-stop`: the seed's fault, as an operator does it on the host. */
export const sshDockerStop = defineFault({
  id: 'ssh:docker-stop',
  kind: 'action',
  description:
    "docker stop a service's container on the host over SSH, matched exactly by label; the restart policy (ECS) or swarm must bring it back",
  destructive: true,
  args,
  targets: (a, outputs) => sshTargets(a.service, outputs),
  describe: (a, outputs) =>
    `over SSH to ${sshWhere(outputs)}: ${commandLine(listContainersCommand(outputs, a.service))}, then docker stop${a.stopTimeoutSeconds === undefined ? '' : ` --time ${a.stopTimeoutSeconds}`} <the one container found>`,
  async run(ctx, a) {
    // Names are checked (and the command built) before any connection is made.
    listContainersCommand(ctx.outputs, a.service);
    const settings = resolveSshSettings(a, ctx.outputs, processSshEnvironment());
    const stopped = await withSshSession(settings, ctx.signal, (session) =>
      signalServiceContainer(ctx, session, a.service, 'ssh:docker-stop', (id) => [
        'docker',
        'stop',
        ...(a.stopTimeoutSeconds === undefined ? [] : ['--time', String(a.stopTimeoutSeconds)]),
        id,
      ]),
    );
    return {
      service: a.service,
      host: sshWhere(ctx.outputs),
      stoppedContainer: stopped.container.id,
      containerName: stopped.container.name,
      startedAt: stopped.startedAt,
      command: stopped.command,
      stoppedAt: new Date(ctx.clock.now()).toISOString(),
    };
  },
});
