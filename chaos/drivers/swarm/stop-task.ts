import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { defineFault } from '../../faults/define-fault';
import { SWARM_TASK_ID } from '../../adapters/swarm/swarm-state';

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe('Service one of whose tasks is stopped'),
  task: z
    .string()
    .regex(SWARM_TASK_ID, 'expected a swarm task id (25 lower-case letters and digits)')
    .optional()
    .describe('Task id to stop (default: a running task at random)'),
  reason: z.string().min(1).max(255).default('chaos experiment').describe('Why, recorded in the journal'),
});

/** `swarm:stop-task`: the local rehearsal's ECS StopTask. */
export const swarmStopTask = defineFault({
  id: 'swarm:stop-task',
  kind: 'action',
  description: "Local target: stop a running task's container of a swarm service through the engine; swarm must start a new task",
  destructive: true,
  requires: [
    { port: 'orchestrator', adapter: 'swarm', why: "it acts on the local rehearsal's swarm: use ecs:stop-task / ecs:service-stable" },
  ],
  args,
  targets: (a, outputs) => [{ kind: 'service', service: outputs.services[a.service].serviceName }],
  describe: (a, target) => target.use('orchestrator').describeStopTask(a.service, a.reason, a.task),
  run: (ctx, a) => ctx.use('orchestrator').stopTask(ctx, { fault: 'swarm:stop-task', service: a.service, task: a.task, reason: a.reason }),
});
