import type { ECSClient } from '@aws-sdk/client-ecs';
import { DescribeServicesCommand, type Service } from '@aws-sdk/client-ecs';
import type { ServiceName } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import type { DriverContext } from '../../faults/types';

/** What the ECS adapters share: the one service the outputs name, looked up in the cluster. */

/** The one ECS service named in the outputs, or `ActivityFailedError` when ECS does not know it. */
export async function describeService(ecs: ECSClient, ctx: DriverContext, service: ServiceName): Promise<Service> {
  const serviceName = ctx.outputs.services[service].serviceName;
  const out = await ecs.send(new DescribeServicesCommand({ cluster: ctx.outputs.clusterName, services: [serviceName] }), {
    abortSignal: ctx.signal,
  });
  const found = out.services?.find((s) => s.serviceName === serviceName);
  if (found === undefined) {
    const failure = out.failures?.[0];
    throw new ActivityFailedError(
      `ECS service ${serviceName} not found in cluster ${ctx.outputs.clusterName}${failure ? ` (${failure.reason ?? 'failure'})` : ''}`,
    );
  }
  return found;
}

/** ISO time of an SDK date, or null. */
export function iso(date: Date | undefined): string | null {
  return date === undefined ? null : date.toISOString();
}
