import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeContainerInstancesCommand, UpdateContainerInstancesStateCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { listActiveContainerInstances } from '../../adapters/ecs/ecs-service';
import { ActivityFailedError } from '../../errors';
import type { JsonObject } from '../../../contract/json';
import { defineFault } from '../../faults/define-fault';
import type { DriverContext } from '../../faults/types';
import { checkInstanceForm, describeNodeControl, INSTANCES, instanceArgs, instanceTargets, onNodes } from '../ec2/fleet-nodes';
import { drainNode, REVERT_TIMEOUT_MS, rollbackNodeDrain, type DrainArgs } from './drain-node';

const args = z.strictObject({
  ...instanceArgs,
  revertAfterSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .optional()
    .describe(
      'Set the instance ACTIVE again after this many seconds, inside the action, so that recovery is measured (default: only in rollbacks)',
    ),
});

/** What `run` returns and `rollback` reads back. */
const drained = z.looseObject({
  containerInstances: z.array(z.looseObject({ containerInstanceArn: z.string().min(1), ec2InstanceId: z.string().min(1) })).min(1),
});

/**
 * `ecs:drain-instance`: sets one container instance of the cluster DRAINING (the one named, else
 * the first), so ECS stops its tasks and cannot place new ones there (one instance: the platform is
 * down until it is ACTIVE again). Only instances of the outputs' Auto Scaling group are touched.
 * Locally, on the multi-node rehearsal: the swarm node drained through the manager (drain-node.ts).
 */
export const ecsDrainInstance = defineFault({
  id: 'ecs:drain-instance',
  kind: 'action',
  description:
    "Set one container instance of the outputs' Auto Scaling group DRAINING (the one named, else the first), ACTIVE again after revertAfterSeconds and in rollbacks. Local target (--nodes 3): docker node update --availability drain on the swarm manager, active again the same way",
  destructive: true,
  requires: INSTANCES,
  args,
  targets: (a, outputs) => [{ kind: 'cluster', cluster: outputs.clusterName }, ...instanceTargets(outputs, a.instance)],
  describe: (a, target) => {
    const again = a.revertAfterSeconds === undefined ? 'in rollbacks' : `after ${a.revertAfterSeconds}s (and in rollbacks)`;
    return !onNodes(target)
      ? `UpdateContainerInstancesState DRAINING for ${a.instance ?? 'the first ACTIVE container instance'} of ${target.outputs.clusterName} (it must belong to ${target.outputs.asgName}); ACTIVE again ${again}`
      : describeNodeControl(
          target,
          target.use('nodes').words('status'),
          `finds ${a.instance ?? 'the first ready node'}; then, on the swarm manager, docker node update --availability drain <its swarm node id>, the tasks on it listed before and after; --availability active ${again}`,
        );
  },
  async run(ctx, a): Promise<JsonObject> {
    checkInstanceForm(ctx, a.instance);
    return onNodes(ctx) ? drainNode(ctx, a) : drainEc2(ctx, a);
  },
  async rollback(ctx, a, runResult) {
    if (onNodes(ctx)) return rollbackNodeDrain(ctx, a, runResult);
    const parsed = drained.safeParse(runResult);
    if (!parsed.success)
      throw new ActivityFailedError(
        'ecs:drain-instance rollback: the run recorded no drained container instance, so there is nothing to set ACTIVE',
      );
    const arns = parsed.data.containerInstances.map((i) => i.containerInstanceArn);
    await setActive(ctx.use('aws').ecs(), ctx.outputs.clusterName, arns, ctx.signal);
    return { cluster: ctx.outputs.clusterName, containerInstances: arns, status: 'ACTIVE' };
  },
});

/** AWS: DRAINING for the instance named, else the group's first ACTIVE container instance (one instance: that one, as before). */
async function drainEc2(ctx: DriverContext, a: DrainArgs): Promise<JsonObject> {
  const ecs = ctx.use('aws').ecs();
  const cluster = ctx.outputs.clusterName;
  const asgName = ctx.outputs.asgName;
  const arns = await listActiveContainerInstances(ecs, cluster, ctx.signal);
  if (arns.length === 0) throw new ActivityFailedError(`cluster ${cluster} has no ACTIVE container instance to drain`);
  const described = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }), {
    abortSignal: ctx.signal,
  });
  const groups = await ctx
    .use('aws')
    .autoScaling()
    .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }), { abortSignal: ctx.signal });
  const inGroup = new Set((groups.AutoScalingGroups?.[0]?.Instances ?? []).map((i) => i.InstanceId));
  const active = (described.containerInstances ?? []).map((ci) => ({
    containerInstanceArn: ci.containerInstanceArn ?? '',
    ec2InstanceId: ci.ec2InstanceId ?? '',
  }));
  const instances = a.instance === undefined ? active.slice(0, 1) : active.filter((i) => i.ec2InstanceId === a.instance);
  if (instances.length === 0)
    throw new ActivityFailedError(
      `instance ${a.instance ?? '?'} is not an ACTIVE container instance of ${cluster} (ACTIVE: ${active.map((i) => i.ec2InstanceId).join(', ')})`,
    );
  // An instance outside the group is outside the blast radius: the guard refuses before any change.
  ctx.guard(
    instances.map((i) => ({
      kind: 'instance',
      instanceId: i.ec2InstanceId,
      asg: inGroup.has(i.ec2InstanceId) ? asgName : '(no Auto Scaling group of the outputs)',
    })),
  );
  await ecs.send(
    new UpdateContainerInstancesStateCommand({
      cluster,
      containerInstances: instances.map((i) => i.containerInstanceArn),
      status: 'DRAINING',
    }),
    { abortSignal: ctx.signal },
  );
  ctx.log.info(`DRAINING ${instances.map((i) => i.ec2InstanceId).join(', ')}`);
  if (a.revertAfterSeconds === undefined) return { cluster, containerInstances: instances, status: 'DRAINING' };
  const activate = (signal: AbortSignal) =>
    setActive(
      ctx.use('aws').ecs(),
      cluster,
      instances.map((i) => i.containerInstanceArn),
      signal,
    );
  try {
    await ctx.clock.sleep(a.revertAfterSeconds * 1000, ctx.signal);
  } catch (error) {
    // An interrupted action registers no rollback: undo the drain here, then let the interruption through.
    await activate(AbortSignal.timeout(REVERT_TIMEOUT_MS));
    throw error;
  }
  await activate(ctx.signal);
  ctx.log.info(`ACTIVE again after ${a.revertAfterSeconds}s`);
  return { cluster, containerInstances: instances, status: 'ACTIVE', drainedForSeconds: a.revertAfterSeconds };
}

/** ACTIVE again (idempotent: an instance already ACTIVE stays so). */
async function setActive(ecs: ECSClient, cluster: string, arns: readonly string[], signal: AbortSignal): Promise<void> {
  const out = await ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [...arns], status: 'ACTIVE' }), {
    abortSignal: signal,
  });
  const failures = out.failures ?? [];
  if (failures.length > 0)
    throw new ActivityFailedError(
      `could not set ${failures.map((f) => `${f.arn ?? '?'} (${f.reason ?? 'failure'})`).join(', ')} ACTIVE again`,
    );
}
