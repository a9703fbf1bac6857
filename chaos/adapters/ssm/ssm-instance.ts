import { DescribeContainerInstancesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { listActiveContainerInstances } from '../ecs/ecs-service';
import type { PlatformOutputs } from '../../../contract/outputs';
import { ActivityFailedError } from '../../errors';
import { firstBlastRadiusViolation } from '../../targets/blast-radius';

/** An EC2 instance id, the only form that may reach SendCommand's InstanceIds. */
const EC2_INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
/** `arn:<partition>:ecs:<region>:<account>:container-instance/<cluster>/<id>` (the long ARN format). */
const CONTAINER_INSTANCE_ARN = /^arn:[a-z-]+:ecs:[a-z0-9-]+:\d{12}:container-instance\/([A-Za-z0-9_-]{1,255})\/[0-9a-f]{32}$/;

/**
 * The instance host commands go to: the one ACTIVE container instance of the outputs' cluster, as
 * ECS answers. Never from user input, so an argument cannot aim Run Command at another machine; the
 * answer is checked too (its ARN must name the outputs' cluster, the blast-radius guard's rule),
 * since ECS is asked by name and a confused answer must not widen the blast radius.
 */
export async function clusterInstance(ecs: ECSClient, outputs: PlatformOutputs, signal: AbortSignal): Promise<string> {
  const cluster = outputs.clusterName;
  const arns = await listActiveContainerInstances(ecs, cluster, signal);
  if (arns.length === 0) throw new ActivityFailedError(`cluster ${cluster} has no ACTIVE container instance to run host commands on`);
  const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }), {
    abortSignal: signal,
  });
  const instances = (described.containerInstances ?? []).map((ci) => {
    const arn = ci.containerInstanceArn ?? '';
    const instanceId = ci.ec2InstanceId ?? '';
    if (!EC2_INSTANCE_ID.test(instanceId))
      throw new ActivityFailedError(`refused container instance ${JSON.stringify(arn)}: its EC2 instance id ${JSON.stringify(instanceId)}`);
    const inCluster = CONTAINER_INSTANCE_ARN.exec(arn)?.[1] ?? '(an ARN that names no cluster)';
    const violation = firstBlastRadiusViolation([{ kind: 'container-instance', instanceId, cluster: inCluster }], outputs);
    if (violation !== null) throw new ActivityFailedError(`refused outside the blast radius: ${violation}`);
    return instanceId;
  });
  const only = instances[0];
  if (instances.length === 1 && only !== undefined) return only;
  // The platform runs on one instance; with several (a replacement starting), which one holds the
  // service's container is a guess, and a host fault must not guess.
  throw new ActivityFailedError(
    `cluster ${cluster} has ${instances.length} ACTIVE container instances (${instances.join(', ') || 'none described'}); host commands need exactly one`,
  );
}
