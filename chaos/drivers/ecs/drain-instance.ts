import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeContainerInstancesCommand, UpdateContainerInstancesStateCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { listActiveContainerInstances } from '../../adapters/ecs/ecs-service';
import { ActivityFailedError } from '../../errors';
import type { JsonObject } from '../../../contract/json';
import { defineFault } from '../../faults/define-fault';

const args = z.strictObject({
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

/** How long the revert may take when the run is being interrupted. */
const REVERT_TIMEOUT_MS = 30_000;

/** What `run` returns and `rollback` reads back. */
const drained = z.looseObject({
  containerInstances: z.array(z.looseObject({ containerInstanceArn: z.string().min(1), ec2InstanceId: z.string().min(1) })).min(1),
});

/**
 * `ecs:drain-instance`: sets the cluster's container instance DRAINING, so ECS stops its tasks and
 * cannot place new ones (one instance: the platform is down until the rollback sets it ACTIVE).
 * Only instances of the outputs' Auto Scaling group are touched.
 */
export const ecsDrainInstance = defineFault({
  id: 'ecs:drain-instance',
  kind: 'action',
  description:
    "Set the cluster's container instance(s) of the outputs' Auto Scaling group DRAINING, ACTIVE again after revertAfterSeconds and in rollbacks",
  destructive: true,
  requires: [{ port: 'aws', why: 'the rehearsal has one swarm node and no container instance to drain (try it against AWS)' }],
  args,
  targets: (_a, outputs) => [
    { kind: 'cluster', cluster: outputs.clusterName },
    { kind: 'asg', asg: outputs.asgName },
  ],
  describe: (a, { outputs }) =>
    `UpdateContainerInstancesState DRAINING for the ACTIVE container instances of ${outputs.clusterName} that belong to ${outputs.asgName}; ACTIVE again ${a.revertAfterSeconds === undefined ? 'in rollbacks' : `after ${a.revertAfterSeconds}s (and in rollbacks)`}`,
  async run(ctx, a): Promise<JsonObject> {
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
    const instances = (described.containerInstances ?? []).map((ci) => ({
      containerInstanceArn: ci.containerInstanceArn ?? '',
      ec2InstanceId: ci.ec2InstanceId ?? '',
    }));
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
  },
  async rollback(ctx, _a, runResult) {
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
