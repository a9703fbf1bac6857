import { ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import type { JsonObject } from '../../../contract/json';
import { defineFault } from '../../faults/define-fault';
import { stopServiceTask } from '../../adapters/swarm/swarm-tasks';
import { ECS_TASK_ARN, serviceTargets } from '../../adapters/ecs/ecs-service';

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe('Service one of whose tasks is stopped'),
  task: z
    .string()
    .regex(ECS_TASK_ARN, 'expected an ECS task ARN (arn:aws:ecs:<region>:<account>:task/<cluster>/<id>)')
    .optional()
    .describe('Task ARN to stop; it must belong to the service (default: a running task at random)'),
  // StopTask accepts up to 255 characters; it shows in the console and in DescribeTasks.
  reason: z.string().min(1).max(255).default('chaos experiment').describe('StopTask reason, shown by ECS and recorded in the journal'),
});

/** `ecs:stop-task`: the scheduler must replace a stopped task (a lost instance takes the same path). */
export const ecsStopTask = defineFault({
  id: 'ecs:stop-task',
  kind: 'action',
  description:
    'Stop one running task of a service (random or named) with a reason; the ECS scheduler must start a new one. Local target: swarm:stop-task',
  destructive: true,
  args,
  targets: (a, outputs) => serviceTargets(a.service, outputs),
  describe: (a, outputs) =>
    outputs.target === 'local'
      ? `local target, as swarm:stop-task: docker stop the container of a running task of ${outputs.services[a.service].serviceName} (reason: ${a.reason})`
      : `ECS StopTask of ${a.task ?? 'a running task'} of ${outputs.services[a.service].serviceName} in ${outputs.clusterName}, reason "${a.reason}"`,
  async run(ctx, a): Promise<JsonObject> {
    if (ctx.outputs.target === 'local') {
      if (a.task !== undefined)
        throw new ActivityFailedError(
          'a named ECS task cannot be stopped on the local target; leave task out (or use swarm:stop-task with a swarm task id)',
        );
      return { ...(await stopServiceTask(ctx, a.service, { fault: 'ecs:stop-task', reason: a.reason })), orchestrator: 'swarm' };
    }
    const ecs = ctx.clients.ecs();
    const cluster = ctx.outputs.clusterName;
    const serviceName = ctx.outputs.services[a.service].serviceName;
    const listed = await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: 'RUNNING' }), { abortSignal: ctx.signal });
    const running = listed.taskArns ?? [];
    if (a.task !== undefined && !running.includes(a.task)) {
      throw new ActivityFailedError(
        `task ${a.task} is not a running task of ${serviceName} (running: ${running.join(', ') || 'none'}); refused`,
      );
    }
    const task = a.task ?? running[Math.floor(Math.random() * running.length)];
    if (task === undefined) throw new ActivityFailedError(`${serviceName} has no running task in ${cluster} to stop`);
    ctx.guard([
      { kind: 'service', service: serviceName },
      { kind: 'cluster', cluster },
    ]);
    ctx.log.info(`StopTask ${task} (${a.reason})`);
    const out = await ecs.send(new StopTaskCommand({ cluster, task, reason: a.reason }), { abortSignal: ctx.signal });
    const at = ctx.clock.now();
    ctx.clients.faultRecord?.().stopped({ fault: 'ecs:stop-task', service: a.service, unit: 'ecs-task', id: task, at });
    return {
      service: a.service,
      serviceName,
      cluster,
      stoppedTask: task,
      reason: a.reason,
      lastStatus: out.task?.lastStatus ?? null,
      desiredStatus: out.task?.desiredStatus ?? null,
      stoppedAt: new Date(at).toISOString(),
      orchestrator: 'ecs',
    };
  },
});
