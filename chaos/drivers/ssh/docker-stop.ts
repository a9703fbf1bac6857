import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { defineFault } from '../../faults/define-fault';
import { listContainersCommand, signalServiceContainer } from './service-container';
import { commandLine } from '../../faults/command-words';
import { sshConnectionArgs } from './connection-args';
import { HOST_AND_ORCHESTRATOR, liveHost, overHost, sshTargets } from './ssh-targets';

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
    "docker stop a service's container on the host (over SSH or SSM), matched exactly by label; the restart policy (ECS) or swarm must bring it back",
  destructive: true,
  requires: HOST_AND_ORCHESTRATOR,
  args,
  targets: (a, outputs) => sshTargets(a.service, outputs),
  describe: (a, target) =>
    `${overHost(target.use('host'))}: ${commandLine(listContainersCommand(target.use('orchestrator').containerLabels(a.service)))}, then docker stop${a.stopTimeoutSeconds === undefined ? '' : ` --time ${a.stopTimeoutSeconds}`} <the one container found>`,
  live: (a, target, signal) => liveHost('docker stop', a.service, target, signal),
  async run(ctx, a) {
    // Names are checked (and the command built) before any connection is made.
    ctx.use('orchestrator').containerLabels(a.service);
    const stopped = await ctx
      .use('host')
      .withSession(a, ctx.signal, (session) =>
        signalServiceContainer(ctx, session, a.service, 'ssh:docker-stop', (id) => [
          'docker',
          'stop',
          ...(a.stopTimeoutSeconds === undefined ? [] : ['--time', String(a.stopTimeoutSeconds)]),
          id,
        ]),
      );
    return {
      service: a.service,
      host: ctx.use('host').where,
      stoppedContainer: stopped.container.id,
      containerName: stopped.container.name,
      startedAt: stopped.startedAt,
      command: stopped.command,
      stoppedAt: new Date(ctx.clock.now()).toISOString(),
    };
  },
});
