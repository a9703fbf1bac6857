import { DescribeContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { listActiveContainerInstances } from '../../adapters/ecs/ecs-service';
import type { JsonObject } from '../../../contract/json';
import { defineFault } from '../../faults/define-fault';
import { AWS_INSTANCES, describeGroup, groupTargets } from '../ec2/group-instances';

/**
 * `asg:group-healthy`: InService and Healthy instances = desired capacity, and each of them is an
 * ACTIVE container instance of the cluster with its agent connected (an instance that runs but has
 * not registered yet runs no task). After this run terminated an instance: that one is no longer
 * InService. Reports `healthy: true|false`.
 */
export const asgGroupHealthy = defineFault({
  id: 'asg:group-healthy',
  kind: 'probe',
  description:
    'InService, Healthy instances = desired capacity in the Auto Scaling group, each registered ACTIVE (agent connected) in the cluster; an instance this run terminated gone. Reports healthy: true or false',
  destructive: false,
  requires: AWS_INSTANCES,
  args: z.strictObject({}),
  targets: (_a, outputs) => [...groupTargets(outputs.asgName), { kind: 'cluster', cluster: outputs.clusterName }],
  describe: (_a, { outputs }) =>
    `DescribeAutoScalingGroups ${outputs.asgName} and the ACTIVE container instances of ${outputs.clusterName}: every desired instance InService, Healthy and registered`,
  async run(ctx): Promise<JsonObject> {
    const group = await describeGroup(ctx);
    const desired = group.DesiredCapacity ?? 0;
    const serving = (group.Instances ?? [])
      .filter((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy')
      .map((i) => i.InstanceId ?? '');
    const ecs = ctx.use('aws').ecs();
    const cluster = ctx.outputs.clusterName;
    const arns = await listActiveContainerInstances(ecs, cluster, ctx.signal);
    const described =
      arns.length === 0
        ? []
        : ((await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }), { abortSignal: ctx.signal }))
            .containerInstances ?? []);
    const registered = new Set(
      described.filter((ci) => ci.status === 'ACTIVE' && ci.agentConnected === true).map((ci) => ci.ec2InstanceId ?? ''),
    );
    const reasons: string[] = [];
    if (serving.length !== desired) reasons.push(`${serving.length} of ${desired} instances InService and Healthy`);
    const unregistered = serving.filter((id) => !registered.has(id));
    if (unregistered.length > 0) reasons.push(`not yet an ACTIVE container instance of ${cluster}: ${unregistered.join(', ')}`);
    const terminated = ctx.record.lastStopped('instance', 'ec2-instance');
    if (terminated !== undefined && serving.includes(terminated.id))
      reasons.push(`the terminated instance ${terminated.id} is still InService`);
    return {
      asg: ctx.outputs.asgName,
      healthy: reasons.length === 0,
      desired,
      inService: serving,
      containerInstances: described.map((ci) => ({
        ec2InstanceId: ci.ec2InstanceId ?? null,
        status: ci.status ?? null,
        agentConnected: ci.agentConnected ?? false,
      })),
      ...(terminated === undefined ? {} : { terminatedInstance: terminated.id }),
      ...(reasons.length === 0 ? {} : { reason: reasons.join('; ') }),
    };
  },
});
