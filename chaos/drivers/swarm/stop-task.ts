import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { defineFault } from '../../faults/define-fault';
import { stopServiceTask } from '../../adapters/swarm/swarm-tasks';
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
  args,
  targets: (a, outputs) => [{ kind: 'service', service: outputs.services[a.service].serviceName }],
  describe: (a, outputs) =>
    `docker stop the container of ${a.task === undefined ? 'a running task' : `task ${a.task}`} of swarm service ${outputs.services[a.service].serviceName} (reason: ${a.reason})`,
  run: (ctx, a) => stopServiceTask(ctx, a.service, { fault: 'swarm:stop-task', task: a.task, reason: a.reason }),
});
