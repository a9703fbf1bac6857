import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import type { JsonObject } from '../../../contract/json';
import { defineFault } from '../../faults/define-fault';
import { docker, dockerOf, parseServiceTasks, serviceTasksArgs, swarmServiceName } from '../../adapters/swarm/swarm-state';
import { describeService, iso, serviceTargets } from '../../adapters/ecs/ecs-service';

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
  args,
  targets: (a, outputs) => serviceTargets(a.service, outputs),
  describe: (a, outputs) =>
    outputs.target === 'local'
      ? `docker service ps ${outputs.services[a.service].serviceName}: the last ${a.limit} task states`
      : `DescribeServices ${outputs.services[a.service].serviceName} in ${outputs.clusterName}: the last ${a.limit} events`,
  async run(ctx, a): Promise<JsonObject> {
    if (ctx.outputs.target === 'local') {
      const name = swarmServiceName(ctx.outputs, a.service);
      const tasks = parseServiceTasks(await docker(dockerOf(ctx), serviceTasksArgs(name), ctx.signal));
      const events = tasks.slice(0, a.limit).map((t) => ({
        at: null,
        message: `task ${t.id} (${t.slot}): ${t.currentState}, desired ${t.desiredState}${t.error ? `: ${t.error}` : ''}`,
      }));
      return { service: a.service, serviceName: name, events, orchestrator: 'swarm' };
    }
    const service = await describeService(ctx.clients.ecs(), ctx, a.service);
    const events = (service.events ?? []).slice(0, a.limit).map((e) => ({ at: iso(e.createdAt), message: e.message ?? '' }));
    return { service: a.service, serviceName: service.serviceName ?? null, events, orchestrator: 'ecs' };
  },
});
