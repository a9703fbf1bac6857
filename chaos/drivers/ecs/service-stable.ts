import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import type { JsonObject } from '../../../contract/json';
import { defineFault } from '../../faults/define-fault';
import { serviceConvergence } from '../../adapters/swarm/swarm-tasks';
import { describeService, ECS_TASK_ARN, iso, serviceTargets } from '../../adapters/ecs/ecs-service';

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe('Service to check'),
  stoppedTask: z
    .string()
    .regex(ECS_TASK_ARN, 'expected an ECS task ARN')
    .optional()
    .describe("Task that must be seen STOPPED and replaced (default: the task this run's ecs:stop-task stopped, if any)"),
});

/**
 * `ecs:service-stable`: running = desired with nothing pending, and — once a task was stopped —
 * proof that the fault took effect: that task STOPPED (with its stop code) and another RUNNING.
 * `aws ecs wait services-stable` alone can answer before the stop is even visible.
 */
export const ecsServiceStable = defineFault({
  id: 'ecs:service-stable',
  kind: 'probe',
  description:
    'running = desired and pending = 0 for a service, and the task stopped by this run (or named) STOPPED with a new task RUNNING. Reports stable: true or false. Local target: swarm:service-converged',
  destructive: false,
  args,
  targets: (a, outputs) => serviceTargets(a.service, outputs),
  describe: (a, outputs) =>
    outputs.target === 'local'
      ? `local target, as swarm:service-converged: ${outputs.services[a.service].serviceName} running = desired, none pending, a stopped task replaced`
      : `DescribeServices ${outputs.services[a.service].serviceName} in ${outputs.clusterName}: running = desired, pending = 0; ${a.stoppedTask === undefined ? 'once this run stopped a task: that task' : a.stoppedTask} STOPPED and a new task RUNNING`,
  async run(ctx, a) {
    if (ctx.outputs.target === 'local') {
      const local = await serviceConvergence(ctx, a.service, 'ecs:service-stable');
      return { ...local, stable: local.converged ?? false, orchestrator: 'swarm' };
    }
    const ecs = ctx.clients.ecs();
    const cluster = ctx.outputs.clusterName;
    const service = await describeService(ecs, ctx, a.service);
    const desired = service.desiredCount ?? 0;
    const running = service.runningCount ?? 0;
    const pending = service.pendingCount ?? 0;
    const reasons: string[] = [];
    if (running !== desired) reasons.push(`${running} of ${desired} tasks running`);
    if (pending > 0) reasons.push(`${pending} pending`);

    const listed = await ecs.send(new ListTasksCommand({ cluster, serviceName: service.serviceName, desiredStatus: 'RUNNING' }), {
      abortSignal: ctx.signal,
    });
    const stoppedTask = a.stoppedTask ?? ctx.clients.faultRecord?.().lastStopped(a.service, 'ecs-task')?.id;
    const arns = [...new Set([...(listed.taskArns ?? []), ...(stoppedTask === undefined ? [] : [stoppedTask])])];
    const described =
      arns.length === 0
        ? []
        : ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }), { abortSignal: ctx.signal })).tasks ?? []);
    const runningTasks = described.filter((t) => t.lastStatus === 'RUNNING' && t.taskArn !== stoppedTask).map((t) => t.taskArn ?? '');
    const proof: JsonObject = {};
    if (stoppedTask !== undefined) {
      const old = described.find((t) => t.taskArn === stoppedTask);
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
      service: a.service,
      serviceName: service.serviceName ?? null,
      stable: reasons.length === 0,
      desired,
      running,
      pending,
      runningTasks,
      ...proof,
      ...(reasons.length === 0 ? {} : { reason: reasons.join('; ') }),
      orchestrator: 'ecs',
    };
  },
});
