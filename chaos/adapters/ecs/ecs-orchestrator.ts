import { DescribeTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import type { JsonObject } from '../../../contract/json';
import type { PlatformOutputs } from '../../../contract/outputs';
import type { ServiceName } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import { safeName } from '../../faults/command-words';
import type { Orchestrator, StopTaskRequest } from '../../faults/ports';
import type { DriverContext } from '../../faults/types';
import type { ClientFactories } from '../aws-clients';
import { describeService, iso, listRunningTasks } from './ecs-service';
import { SYSTEMD_DOCKER_RESTART } from './runtime-restart';

/** Labels the ECS agent puts on a task's containers. */
export const ECS_CONTAINER_LABEL = 'com.amazonaws.ecs.container-name';
export const ECS_FAMILY_LABEL = 'com.amazonaws.ecs.task-definition-family';

/** ECS on EC2: StopTask, DescribeServices/ListTasks/DescribeTasks, the service's events. */
export function ecsOrchestrator(outputs: PlatformOutputs, clients: ClientFactories): Orchestrator {
  const nameOf = (service: ServiceName): string => outputs.services[service].serviceName;
  return {
    name: 'ecs',
    describeStopTask: (service, reason, task) =>
      `ECS StopTask of ${task ?? 'a running task'} of ${nameOf(service)} in ${outputs.clusterName}, reason "${reason}"`,
    describeServiceStable: (service, stoppedTask) =>
      `DescribeServices ${nameOf(service)} in ${outputs.clusterName}: running = desired, pending = 0; ${stoppedTask === undefined ? 'once this run stopped a task: that task' : stoppedTask} STOPPED and a new task RUNNING`,
    describeServiceEvents: (service, limit) => `DescribeServices ${nameOf(service)} in ${outputs.clusterName}: the last ${limit} events`,
    runningTasks: (signal, service) => runningTasks(clients, outputs, service, signal),
    stopTask: (ctx, request) => stopTask(ctx, clients, request.service, request),
    serviceStable: (ctx, service, stoppedTask) => serviceStable(ctx, clients, service, stoppedTask),
    async serviceEvents(ctx, service, limit) {
      const described = await describeService(clients.ecs(), ctx, service);
      const events = (described.events ?? []).slice(0, limit).map((e) => ({ at: iso(e.createdAt), message: e.message ?? '' }));
      return { service, serviceName: described.serviceName ?? null, events, orchestrator: 'ecs' };
    },
    // Another task may well have a container called `api`: the family makes it exact.
    containerLabels: (service) => [
      `${ECS_CONTAINER_LABEL}=${safeName(outputs.services[service].containerName, 'container name')}`,
      `${ECS_FAMILY_LABEL}=${safeName(outputs.services[service].taskFamily, 'task family')}`,
    ],
    runtimeRestart: () => SYSTEMD_DOCKER_RESTART,
  };
}

/** ListTasks only: what a stop would pick from, and what `--dry-run --live` shows. */
async function runningTasks(
  clients: ClientFactories,
  outputs: PlatformOutputs,
  service: ServiceName,
  signal: AbortSignal,
): Promise<string[]> {
  const cluster = outputs.clusterName;
  const serviceName = outputs.services[service].serviceName;
  return listRunningTasks(clients.ecs(), cluster, serviceName, signal);
}

async function stopTask(ctx: DriverContext, clients: ClientFactories, service: ServiceName, request: StopTaskRequest): Promise<JsonObject> {
  const ecs = clients.ecs();
  const cluster = ctx.outputs.clusterName;
  const serviceName = ctx.outputs.services[service].serviceName;
  const running = await runningTasks(clients, ctx.outputs, service, ctx.signal);
  if (request.task !== undefined && !running.includes(request.task)) {
    throw new ActivityFailedError(
      `task ${request.task} is not a running task of ${serviceName} (running: ${running.join(', ') || 'none'}); refused`,
    );
  }
  const task = request.task ?? running[Math.floor(Math.random() * running.length)];
  if (task === undefined) throw new ActivityFailedError(`${serviceName} has no running task in ${cluster} to stop`);
  ctx.guard([
    { kind: 'service', service: serviceName },
    { kind: 'cluster', cluster },
  ]);
  ctx.log.info(`StopTask ${task} (${request.reason})`);
  const out = await ecs.send(new StopTaskCommand({ cluster, task, reason: request.reason }), { abortSignal: ctx.signal });
  const at = ctx.clock.now();
  ctx.record.stopped({ fault: request.fault, service, unit: 'ecs-task', id: task, at });
  return {
    service,
    serviceName,
    cluster,
    stoppedTask: task,
    reason: request.reason,
    lastStatus: out.task?.lastStatus ?? null,
    desiredStatus: out.task?.desiredStatus ?? null,
    stoppedAt: new Date(at).toISOString(),
    orchestrator: 'ecs',
  };
}

/**
 * running = desired with nothing pending, and — once a task was stopped — proof that the fault took
 * effect: that task STOPPED (with its stop code) and another RUNNING. `aws ecs wait services-stable`
 * alone can answer before the stop is even visible.
 */
async function serviceStable(ctx: DriverContext, clients: ClientFactories, service: ServiceName, named?: string): Promise<JsonObject> {
  const ecs = clients.ecs();
  const cluster = ctx.outputs.clusterName;
  const described = await describeService(ecs, ctx, service);
  const desired = described.desiredCount ?? 0;
  const running = described.runningCount ?? 0;
  const pending = described.pendingCount ?? 0;
  const reasons: string[] = [];
  if (running !== desired) reasons.push(`${running} of ${desired} tasks running`);
  if (pending > 0) reasons.push(`${pending} pending`);

  const listed = await listRunningTasks(ecs, cluster, described.serviceName ?? ctx.outputs.services[service].serviceName, ctx.signal);
  const stoppedTask = named ?? ctx.record.lastStopped(service, 'ecs-task')?.id;
  const arns = [...new Set([...listed, ...(stoppedTask === undefined ? [] : [stoppedTask])])];
  const tasks =
    arns.length === 0
      ? []
      : ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }), { abortSignal: ctx.signal })).tasks ?? []);
  const runningTasks = tasks.filter((t) => t.lastStatus === 'RUNNING' && t.taskArn !== stoppedTask).map((t) => t.taskArn ?? '');
  const proof: JsonObject = {};
  if (stoppedTask !== undefined) {
    const old = tasks.find((t) => t.taskArn === stoppedTask);
    proof.stoppedTask = stoppedTask;
    // DescribeTasks keeps stopped tasks for about an hour; one it no longer knows is not running.
    proof.stoppedTaskStatus = old?.lastStatus ?? 'MISSING';
    proof.stopCode = old?.stopCode ?? null;
    proof.stoppedReason = old?.stoppedReason ?? null;
    proof.stoppedAt = iso(old?.stoppedAt);
    proof.newTask = runningTasks[0] ?? null;
    if (old !== undefined && old.lastStatus !== 'STOPPED') reasons.push(`the stopped task is still ${old.lastStatus ?? 'unknown'}`);
    if (runningTasks.length === 0) reasons.push('no new task RUNNING yet');
  }
  return {
    service,
    serviceName: described.serviceName ?? null,
    stable: reasons.length === 0,
    desired,
    running,
    pending,
    runningTasks,
    ...proof,
    ...(reasons.length === 0 ? {} : { reason: reasons.join('; ') }),
    orchestrator: 'ecs',
  };
}
