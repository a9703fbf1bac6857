import type { LocalOutputs } from '../../../contract/outputs';
import type { ServiceName } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import { safeName } from '../../faults/command-words';
import type { Orchestrator } from '../../faults/ports';
import type { DockerCli } from './docker-cli';
import { docker, parseServiceTasks, serviceTasksArgs, SWARM_SERVICE_LABEL, SWARM_TASK_ID, swarmServiceName } from './swarm-state';
import { rollingUpdate } from './swarm-rolling';
import { serviceConvergence, stopServiceTask } from './swarm-tasks';

/**
 * The local rehearsal's orchestrator: the single-node swarm, through the docker CLI aimed at the
 * engine the local outputs name. A stopped task's container is what ECS StopTask stops; swarm's
 * task history stands in for the ECS service events.
 */
export function swarmOrchestrator(outputs: LocalOutputs, cli: () => DockerCli): Orchestrator {
  const nameOf = (service: ServiceName): string => outputs.services[service].serviceName;
  return {
    name: 'swarm',
    describeStopTask: (service, reason, task) =>
      `local target, as swarm:stop-task: docker stop the container of ${task === undefined ? 'a running task' : `task ${task}`} of ${nameOf(service)} (reason: ${reason})`,
    describeServiceStable: (service) =>
      `local target, as swarm:service-converged: ${nameOf(service)} running = desired, none pending, a stopped task replaced`,
    describeServiceEvents: (service, limit) => `docker service ps ${nameOf(service)}: the last ${limit} task states`,
    async stopTask(ctx, request) {
      if (request.task !== undefined && !SWARM_TASK_ID.test(request.task)) {
        throw new ActivityFailedError(
          `task ${request.task} is not a swarm task id: a named ECS task cannot be stopped on the local target; leave task out (or use swarm:stop-task with a swarm task id)`,
        );
      }
      const stopped = await stopServiceTask(ctx, cli(), request.service, request);
      return { ...stopped, orchestrator: 'swarm' };
    },
    async serviceStable(ctx, service) {
      const local = await serviceConvergence(ctx, cli(), service);
      return { ...local, stable: local.converged ?? false, orchestrator: 'swarm' };
    },
    async rollingUpdate(ctx, service, options) {
      return { ...(await rollingUpdate(ctx, cli(), service, options)), orchestrator: 'swarm' };
    },
    async serviceEvents(ctx, service, limit) {
      const name = swarmServiceName(outputs, service);
      const tasks = parseServiceTasks(await docker(cli(), serviceTasksArgs(name), ctx.signal));
      const events = tasks.slice(0, limit).map((t) => ({
        at: null,
        message: `task ${t.id} (${t.slot}): ${t.currentState}, desired ${t.desiredState}${t.error ? `: ${t.error}` : ''}`,
      }));
      return { service, serviceName: name, events, orchestrator: 'swarm' };
    },
    // Exact, where `--filter name=api` also matches `frontend-api`.
    containerLabels: (service) => [`${SWARM_SERVICE_LABEL}=${safeName(nameOf(service), 'swarm service name')}`],
    // The rehearsal writes the command when the engine is its own (rehearsal/outputs.ts).
    runtimeRestart: () =>
      outputs.runtimeRestart === undefined
        ? {
            ok: false,
            refused:
              'the outputs name no runtimeRestart: the rehearsal runs on an engine it did not start (DOCKER_HOST or the system one), which is not its to restart',
          }
        : {
            ok: true,
            words: outputs.runtimeRestart,
            what: "the rehearsal's own dockerd, stopped gracefully and started with the same settings",
          },
  };
}
