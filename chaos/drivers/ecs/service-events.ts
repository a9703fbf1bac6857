import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { defineFault } from '../../faults/define-fault';
import { serviceTargets } from './service-targets';

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe('Service whose events are captured'),
  limit: z.number().int().min(1).max(100).default(10).describe('Most recent events kept (default 10)'),
});

/**
 * `ecs:service-events`: the service's recent events ("has started 1 tasks", "is unable to place a
 * task", "has reached a steady state") into the journal, newest first. Locally: the swarm task
 * history, which tells the same story.
 */
export const ecsServiceEvents = defineFault({
  id: 'ecs:service-events',
  kind: 'probe',
  description: "Capture a service's recent ECS events into the journal, newest first. Local target: the swarm task history",
  destructive: false,
  requires: [{ port: 'orchestrator' }],
  args,
  targets: (a, outputs) => serviceTargets(a.service, outputs),
  describe: (a, target) => target.use('orchestrator').describeServiceEvents(a.service, a.limit),
  run: (ctx, a) => ctx.use('orchestrator').serviceEvents(ctx, a.service, a.limit),
});
