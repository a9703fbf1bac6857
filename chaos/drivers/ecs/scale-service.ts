import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import { defineFault } from '../../faults/define-fault';
import { describeService } from '../../adapters/ecs/ecs-service';
import { serviceTargets } from './service-targets';

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe('Service to scale'),
  desiredCount: z.number().int().min(0).max(10).describe('Desired task count while the fault lasts (0 stops the service)'),
});

/** What `run` returns and `rollback` reads back. */
const scaled = z.looseObject({ serviceName: z.string().min(1), previousDesiredCount: z.number().int().min(0) });

/** `ecs:scale-service`: changes the desired count; the rollback restores the previous one. */
export const ecsScaleService = defineFault({
  id: 'ecs:scale-service',
  kind: 'action',
  description: "Set a service's desired count (0 takes it down); rollbacks restore the previous count",
  destructive: true,
  requires: [{ port: 'aws', why: 'the rehearsal runs in host networking, where a second task of a service cannot bind its port' }],
  args,
  targets: (a, outputs) => serviceTargets(a.service, outputs),
  describe: (a, { outputs }) =>
    `UpdateService ${outputs.services[a.service].serviceName} in ${outputs.clusterName} to desiredCount ${a.desiredCount}; undone in rollbacks`,
  async run(ctx, a) {
    const ecs = ctx.use('aws').ecs();
    const service = await describeService(ecs, ctx, a.service);
    const serviceName = service.serviceName ?? ctx.outputs.services[a.service].serviceName;
    const previous = service.desiredCount ?? 0;
    ctx.guard([{ kind: 'service', service: serviceName }]);
    await ecs.send(new UpdateServiceCommand({ cluster: ctx.outputs.clusterName, service: serviceName, desiredCount: a.desiredCount }), {
      abortSignal: ctx.signal,
    });
    ctx.log.info(`${serviceName}: desired count ${previous} → ${a.desiredCount}`);
    return { service: a.service, serviceName, previousDesiredCount: previous, desiredCount: a.desiredCount };
  },
  async rollback(ctx, a, runResult) {
    const parsed = scaled.safeParse(runResult);
    if (!parsed.success)
      throw new ActivityFailedError(
        'ecs:scale-service rollback: the run recorded no previous desired count, so there is nothing to restore',
      );
    const { serviceName, previousDesiredCount } = parsed.data;
    ctx.guard([{ kind: 'service', service: serviceName }]);
    await ctx
      .use('aws')
      .ecs()
      .send(new UpdateServiceCommand({ cluster: ctx.outputs.clusterName, service: serviceName, desiredCount: previousDesiredCount }), {
        abortSignal: ctx.signal,
      });
    ctx.log.info(`${serviceName}: desired count restored to ${previousDesiredCount}`);
    return { service: a.service, serviceName, restoredDesiredCount: previousDesiredCount };
  },
});
