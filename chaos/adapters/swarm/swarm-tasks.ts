import type { ServiceName } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import type { JsonObject } from '../../../contract/json';
import type { DriverContext, FaultId } from '../../faults/types';
import type { DockerCli } from './docker-cli';
import {
  docker,
  parseReplicas,
  parseServiceContainers,
  parseServiceTasks,
  serviceContainersArgs,
  serviceListArgs,
  serviceTasksArgs,
  swarmServiceName,
} from './swarm-state';

/** What the swarm orchestrator adapter does with services: stop a task, check convergence. */

export interface StopTaskOptions {
  readonly fault: FaultId;
  /** A task id to stop; else one of the running tasks at random. */
  readonly task?: string | undefined;
  /** Why, for the journal (swarm has no place for it on the task). */
  readonly reason: string;
}

/**
 * Stops the container of one running task through the engine. Swarm then marks the task finished
 * and starts a new one (restart condition `any`): the ECS StopTask analogue.
 */
export async function stopServiceTask(
  ctx: DriverContext,
  cli: DockerCli,
  service: ServiceName,
  options: StopTaskOptions,
): Promise<JsonObject> {
  const name = swarmServiceName(ctx.outputs, service);
  const running = parseServiceContainers(await docker(cli, serviceContainersArgs(name), ctx.signal));
  const chosen =
    options.task === undefined ? running[Math.floor(Math.random() * running.length)] : running.find((c) => c.taskId === options.task);
  if (chosen === undefined) {
    throw new ActivityFailedError(
      options.task === undefined
        ? `${name} has no running task to stop`
        : `task ${options.task} is not running in ${name} (running: ${running.map((c) => c.taskId).join(', ') || 'none'})`,
    );
  }
  ctx.guard([{ kind: 'service', service: name }]);
  ctx.log.info(`stopping task ${chosen.taskId} of ${name} (container ${chosen.containerId.slice(0, 12)}): ${options.reason}`);
  await docker(cli, ['stop', chosen.containerId], ctx.signal);
  const at = ctx.clock.now();
  ctx.record.stopped({ fault: options.fault, service, unit: 'swarm-task', id: chosen.taskId, at });
  return {
    service,
    serviceName: name,
    stoppedTask: chosen.taskId,
    stoppedContainer: chosen.containerId,
    reason: options.reason,
    stoppedAt: new Date(at).toISOString(),
    engine: cli.host,
  };
}

/**
 * Whether the service runs as desired (running = desired, nothing pending) and, once a fault of
 * this run stopped one of its tasks (or containers), whether that one is gone and a new one runs.
 */
export async function serviceConvergence(ctx: DriverContext, cli: DockerCli, service: ServiceName): Promise<JsonObject> {
  const name = swarmServiceName(ctx.outputs, service);
  const replicas = parseReplicas(await docker(cli, serviceListArgs(name), ctx.signal), name);
  if (replicas === null)
    throw new ActivityFailedError(`service ${name} does not exist in the swarm${cli.host === null ? '' : ` at ${cli.host}`}`);
  const tasks = parseServiceTasks(await docker(cli, serviceTasksArgs(name), ctx.signal));
  const meant = tasks.filter((t) => t.desiredState === 'Running');
  const runningTasks = meant.filter((t) => t.state === 'Running');
  const pending = meant.length - runningTasks.length;
  const reasons: string[] = [];
  if (replicas.running !== replicas.desired || runningTasks.length !== replicas.desired)
    reasons.push(`${runningTasks.length} of ${replicas.desired} tasks running`);
  if (pending > 0)
    reasons.push(
      `${pending} pending (${meant
        .filter((t) => t.state !== 'Running')
        .map((t) => t.currentState)
        .join(', ')})`,
    );

  const stoppedTask = ctx.record.lastStopped(service, 'swarm-task');
  const proof: JsonObject = {};
  if (stoppedTask !== undefined) {
    const old = tasks.find((t) => t.id === stoppedTask.id);
    const newTask = runningTasks.find((t) => t.id !== stoppedTask.id);
    proof.stoppedTask = stoppedTask.id;
    proof.stoppedTaskState = old === undefined ? 'gone from the task history' : old.currentState;
    proof.newTask = newTask?.id ?? null;
    if (old !== undefined && old.state === 'Running' && old.desiredState === 'Running')
      reasons.push(`the stopped task ${stoppedTask.id} still runs`);
    if (newTask === undefined) reasons.push('no new task runs yet');
  }
  const stoppedContainer = ctx.record.lastStopped(service, 'container');
  if (stoppedContainer !== undefined) {
    const containers = parseServiceContainers(await docker(cli, serviceContainersArgs(name), ctx.signal));
    const fresh = containers.filter((c) => !c.containerId.startsWith(stoppedContainer.id));
    proof.stoppedContainer = stoppedContainer.id;
    proof.newContainer = fresh[0]?.containerId ?? null;
    if (fresh.length !== containers.length) reasons.push(`the stopped container ${stoppedContainer.id} still runs`);
    if (fresh.length === 0) reasons.push('no new container runs yet');
  }
  return {
    service,
    serviceName: name,
    converged: reasons.length === 0,
    desired: replicas.desired,
    running: runningTasks.length,
    pending,
    runningTasks: runningTasks.map((t) => t.id),
    ...proof,
    ...(reasons.length === 0 ? {} : { reason: reasons.join('; ') }),
  };
}
