import { DescribeAutoScalingGroupsCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { ActivityFailedError } from '../../errors';
import type { TargetRef } from '../../targets/blast-radius';
import type { DriverContext, FaultId } from '../../faults/types';

/**
 * The instance faults act only on instances found in the outputs' Auto Scaling group at run time,
 * each passed through the blast-radius guard before anything is done to it.
 */

export const groupTargets = (asgName: string): readonly TargetRef[] => [{ kind: 'asg', asg: asgName }];

/** The EC2 modules have nothing to act on locally: the rehearsal has no instance. */
export function refuseLocally(ctx: DriverContext, fault: FaultId): void {
  if (ctx.outputs.target === 'local') {
    throw new ActivityFailedError(
      `${fault} is not available on the local target: the rehearsal runs on this machine, with no EC2 instance or Auto Scaling group (try it against AWS)`,
    );
  }
}

export async function describeGroup(ctx: DriverContext): Promise<AutoScalingGroup> {
  const asgName = ctx.outputs.asgName;
  const out = await ctx.clients
    .autoScaling()
    .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }), { abortSignal: ctx.signal });
  const group = out.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === asgName);
  if (group === undefined) throw new ActivityFailedError(`Auto Scaling group ${asgName} does not exist`);
  return group;
}

/** The group's InService instance ids, guarded; fails when there is none. */
export async function inServiceInstances(ctx: DriverContext): Promise<string[]> {
  const group = await describeGroup(ctx);
  const ids = (group.Instances ?? []).filter((i) => i.LifecycleState === 'InService').map((i) => i.InstanceId ?? '');
  if (ids.length === 0) throw new ActivityFailedError(`Auto Scaling group ${ctx.outputs.asgName} has no InService instance`);
  ctx.guard(ids.map((instanceId) => ({ kind: 'instance', instanceId, asg: group.AutoScalingGroupName ?? '' })));
  return ids;
}
