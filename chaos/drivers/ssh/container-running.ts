import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { defineFault } from '../../faults/define-fault';
import { commandLine } from '../../faults/command-words';
import { containerStartedAt, listContainersCommand, listServiceContainers } from './service-container';
import { sshConnectionArgs } from './connection-args';
import { HOST_AND_ORCHESTRATOR, overHost, sshTargets } from './ssh-targets';

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe('Service whose container must be running'),
  ...sshConnectionArgs,
});

/**
 * `ssh:container-running`: whether the service has a running container on the host, and, once a
 * fault of this run stopped one of its containers, whether a new container replaced it (swarm) or
 * the same one was restarted in place (ECS container restart policy: same id, later start time).
 * Reports `running: true|false` rather than failing, so a tolerance judges it:
 * `{type: jsonpath, path: $.running, expect: true}`.
 */
export const sshContainerRunning = defineFault({
  id: 'ssh:container-running',
  kind: 'probe',
  description:
    "On the host (over SSH or SSM): is one of the service's containers running (matched by label), and once a fault of this run stopped one, is it a new container or the old one restarted in place? Reports running: true or false",
  destructive: false,
  requires: HOST_AND_ORCHESTRATOR,
  args,
  targets: (a, outputs) => sshTargets(a.service, outputs),
  describe: (a, target) =>
    `${overHost(target.use('host'))}: ${commandLine(listContainersCommand(target.use('orchestrator').containerLabels(a.service)))}; once this run stopped its container, running only when a new one runs or the old one restarted (docker inspect start time)`,
  async run(ctx, a) {
    // Names are checked (and the command built) before any connection is made.
    const labels = ctx.use('orchestrator').containerLabels(a.service);
    const stopped = ctx.record.lastStopped(a.service, 'container');
    const seen = await ctx.use('host').withSession(a, ctx.signal, async (session) => {
      const listed = await listServiceContainers(session, labels);
      // The stopped container listed again is either still the old process or restarted in place
      // (ECS container restart policy): its start time tells which.
      const same = stopped === undefined ? undefined : listed.find((c) => sameContainer(c.id, stopped.id));
      const startedAt = same === undefined ? null : await containerStartedAt(session, same.id);
      return { listed, same, startedAt };
    });
    const { listed, same, startedAt } = seen;
    const restarted = same === undefined || stopped === undefined ? null : startedAt !== stopped.startedAt;
    const fresh = listed.filter((c) => c !== same);
    const replaced = stopped === undefined ? null : fresh.length > 0 || restarted === true;
    const running = listed.length > 0 && replaced !== false && restarted !== false;
    return {
      service: a.service,
      running,
      count: listed.length,
      containers: listed.map((c) => ({ id: c.id, name: c.name })),
      stoppedContainer: stopped?.id ?? null,
      replaced,
      restartedInPlace: restarted,
      ...(running
        ? {}
        : {
            reason: listed.length === 0 ? 'no running container' : `the stopped container ${stopped?.id ?? ''} still runs, not restarted`,
          }),
    };
  },
});

/** Ids compare on their common prefix (12 hex digits short, 64 long). */
function sameContainer(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n);
}
