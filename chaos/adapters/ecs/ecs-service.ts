import type { ECSClient } from '@aws-sdk/client-ecs';
import { DescribeServicesCommand, type Service } from '@aws-sdk/client-ecs';
import type { PlatformOutputs } from '../../../contract/outputs';
import type { ServiceName } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import type { TargetRef } from '../../targets/blast-radius';
import type { DriverContext, FaultId } from '../../faults/types';

/**
 * What every ECS module shares: the cluster and service names (from the outputs only), the
 * blast-radius targets, and what happens on the local target.
 *
 * On `target: local` (the rehearsal's swarm) the modules that have a swarm counterpart map onto it,
 * so one experiment file runs in both places: `ecs:stop-task` → `swarm:stop-task`,
 * `ecs:service-stable` → `swarm:service-converged`, `ecs:service-events` → the swarm task history.
 * Draining the instance and scaling have no faithful local counterpart (one node, host networking)
 * and refuse with a message.
 */

export const ECS_TASK_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/[A-Za-z0-9_-]+\/[0-9a-f]{32}$/;

export function serviceTargets(service: ServiceName, outputs: PlatformOutputs): readonly TargetRef[] {
  return [
    { kind: 'service', service: outputs.services[service].serviceName },
    { kind: 'cluster', cluster: outputs.clusterName },
  ];
}

/** Refuses an ECS module that has no local counterpart. */
export function refuseLocally(ctx: DriverContext, fault: FaultId, why: string): void {
  if (ctx.outputs.target === 'local') {
    throw new ActivityFailedError(`${fault} is not available on the local target: ${why}`);
  }
}

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
