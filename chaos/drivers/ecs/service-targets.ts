import type { PlatformOutputs } from '../../../contract/outputs';
import type { ServiceName } from '../../../contract/services';
import type { TargetRef } from '../../targets/blast-radius';

/** An ECS task ARN, the form `task` arguments must take. */
export const ECS_TASK_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/[A-Za-z0-9_-]+\/[0-9a-f]{32}$/;

/** What a fault on one service acts on (from the outputs only), for the blast-radius guard. */
export function serviceTargets(service: ServiceName, outputs: PlatformOutputs): readonly TargetRef[] {
  return [
    { kind: 'service', service: outputs.services[service].serviceName },
    { kind: 'cluster', cluster: outputs.clusterName },
  ];
}
