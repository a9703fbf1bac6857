import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { defineFault } from '../../faults/define-fault';
import { ECS_TASK_ARN, serviceTargets } from './service-targets';

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
 * proof that the fault took effect: that task STOPPED and another RUNNING.
 */
export const ecsServiceStable = defineFault({
  id: 'ecs:service-stable',
  kind: 'probe',
  description:
    'running = desired and pending = 0 for a service, and the task stopped by this run (or named) STOPPED with a new task RUNNING. Reports stable: true or false. Local target: swarm:service-converged',
  destructive: false,
  requires: [{ port: 'orchestrator' }],
  args,
  targets: (a, outputs) => serviceTargets(a.service, outputs),
  describe: (a, target) => target.use('orchestrator').describeServiceStable(a.service, a.stoppedTask),
  run: (ctx, a) => ctx.use('orchestrator').serviceStable(ctx, a.service, a.stoppedTask),
});
