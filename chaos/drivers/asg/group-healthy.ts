import { DescribeContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { listActiveContainerInstances } from '../../adapters/ecs/ecs-service';
import type { JsonObject } from '../../../contract/json';
import { defineFault } from '../../faults/define-fault';
import type { HostAccessOptions } from '../../faults/ports';
import type { DriverContext } from '../../faults/types';
import { describeGroup } from '../ec2/group-instances';
import { describeNodeControl, fleetStatus, INSTANCES, instanceTargets, onNodes } from '../ec2/fleet-nodes';
import { sshConnectionArgs } from '../ssh/connection-args';

/** The host faults' SSH defaults (sshConnectionArgs with no argument given). */
const DEFAULT_HOST_ACCESS: HostAccessOptions = z.strictObject(sshConnectionArgs).parse({});

async function ec2GroupHealthy(ctx: DriverContext): Promise<JsonObject> {
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
}

/**
 * Local: every node the outputs list has its engine running, is ready and active in the swarm and
 * has its link up; a node this run terminated has been replaced (a new swarm node id, or one more
 * replacement counted by the stand-in group).
 */
async function nodesHealthy(ctx: DriverContext, a: HostAccessOptions): Promise<JsonObject> {
  const status = await fleetStatus(ctx, a);
  const listed = ctx.use('nodes').nodes;
  const reasons: string[] = [];
  for (const want of listed) {
    const n = status.find((s) => s.name === want.name);
    if (n === undefined) {
      reasons.push(`${want.name} missing from node-control status`);
      continue;
    }
    const wrong = [
      ...(n.engine === 'running' ? [] : [`engine ${n.engine}`]),
      ...(n.swarmState === 'ready' ? [] : [`swarm ${n.swarmState}`]),
      ...(n.availability === 'active' ? [] : [`availability ${n.availability}`]),
      ...(n.link === 'up' ? [] : [`link ${n.link}`]),
      // As the AWS group's instances must also be healthy in the balancer's target groups.
      ...(n.loadBalancer === undefined || n.loadBalancer === 'in-service' ? [] : [`load balancer target ${n.loadBalancer}`]),
    ];
    if (wrong.length > 0) reasons.push(`${n.name}: ${wrong.join(', ')}`);
  }
  const terminated = ctx.record.lastStopped('instance', 'rehearsal-node');
  let replaced: boolean | null = null;
  if (terminated !== undefined) {
    const now = status.find((s) => s.name === terminated.id);
    const before = terminated.node;
    replaced =
      now !== undefined &&
      before !== undefined &&
      (now.replacements > before.replacements || (now.swarmNodeId !== null && now.swarmNodeId !== before.swarmNodeId));
    if (!replaced) reasons.push(`the terminated node ${terminated.id} has not been replaced yet`);
  }
  const ready = status.filter((n) => n.engine === 'running' && n.swarmState === 'ready' && n.availability === 'active' && n.link === 'up');
  return {
    healthy: reasons.length === 0,
    desired: listed.length,
    ready: ready.map((n) => n.name),
    nodes: status.map((n) => ({ ...n })),
    ...(terminated === undefined ? {} : { terminatedNode: terminated.id, replaced }),
    ...(reasons.length === 0 ? {} : { reason: reasons.join('; ') }),
  };
}

/**
 * `asg:group-healthy`: InService and Healthy instances = desired capacity, and each of them is an
 * ACTIVE container instance of the cluster with its agent connected (an instance that runs but has
 * not registered yet runs no task). After this run terminated an instance: that one is no longer
 * InService. Locally (multi-node rehearsal): every node running, ready, active and linked, a
 * terminated one replaced. Reports `healthy: true|false`.
 */
export const asgGroupHealthy = defineFault({
  id: 'asg:group-healthy',
  kind: 'probe',
  description:
    'InService, Healthy instances = desired capacity in the Auto Scaling group, each registered ACTIVE (agent connected) in the cluster; an instance this run terminated gone. Local target (--nodes 3): every node engine running, swarm ready/active, link up, in service in the stand-in load balancer, a terminated one replaced. Reports healthy: true or false',
  destructive: false,
  requires: INSTANCES,
  args: z.strictObject({}),
  targets: (_a, outputs) => [{ kind: 'cluster', cluster: outputs.clusterName }, ...instanceTargets(outputs, undefined)],
  describe: (_a, target) =>
    !onNodes(target)
      ? `DescribeAutoScalingGroups ${target.outputs.asgName} and the ACTIVE container instances of ${target.outputs.clusterName}: every desired instance InService, Healthy and registered`
      : describeNodeControl(
          target,
          target.use('nodes').words('status'),
          `every one of ${target.use('nodes').nodes.length} nodes: engine running, swarm ready and active, link up`,
        ),
  // No SSH arguments (none on AWS either): the rehearsal's key and pinned host key, as every host fault defaults to.
  run: (ctx) => (onNodes(ctx) ? nodesHealthy(ctx, DEFAULT_HOST_ACCESS) : ec2GroupHealthy(ctx)),
});
