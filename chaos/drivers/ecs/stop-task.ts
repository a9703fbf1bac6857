import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { defineFault } from '../../faults/define-fault';
import { ECS_TASK_ARN, serviceTargets } from './service-targets';

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
  requires: [{ port: 'orchestrator' }],
  args,
  targets: (a, outputs) => serviceTargets(a.service, outputs),
  describe: (a, target) => target.use('orchestrator').describeStopTask(a.service, a.reason, a.task),
  async live(a, target, signal) {
    const orchestrator = target.use('orchestrator');
    if (orchestrator.runningTasks === undefined) return null;
    const running = await orchestrator.runningTasks(signal, a.service);
    const name = target.outputs.services[a.service].serviceName;
    const tasks = `${running.length} running task(s) of ${name}: ${running.join(', ') || 'none (the run would fail)'}`;
    if (a.task === undefined) return `would stop one of ${tasks}`;
    // A named task that is not running is refused by the run, so the plan says so now.
    return `would stop the named ${a.task}, ${running.includes(a.task) ? 'one' : 'NOT one (the run would refuse it)'} of ${tasks}`;
  },
  run: (ctx, a) => ctx.use('orchestrator').stopTask(ctx, { fault: 'ecs:stop-task', service: a.service, task: a.task, reason: a.reason }),
});
