import { DescribeAutoScalingGroupsCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { ActivityFailedError } from '../../errors';
import type { TargetRef } from '../../targets/blast-radius';
import type { PortRequirement } from '../../faults/ports';
import type { DriverContext, TargetView } from '../../faults/types';

/**
 * The instance faults act only on instances found in the outputs' Auto Scaling group at run time,
 * each passed through the blast-radius guard before anything is done to it.
 */

export const groupTargets = (asgName: string): readonly TargetRef[] => [{ kind: 'asg', asg: asgName }];

/** What the instance faults need: the AWS APIs, which the local target does not have. */
export const AWS_INSTANCES: readonly PortRequirement[] = [
  { port: 'aws', why: 'the rehearsal runs on this machine, with no EC2 instance or Auto Scaling group (try it against AWS)' },
];

export async function describeGroup(ctx: TargetView & { readonly signal: AbortSignal }): Promise<AutoScalingGroup> {
  const asgName = ctx.outputs.asgName;
  const out = await ctx
    .use('aws')
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

/** For `--dry-run --live`: the group's InService instances, DescribeAutoScalingGroups only. */
export async function liveInstances(verb: string, target: TargetView, signal: AbortSignal): Promise<string> {
  const group = await describeGroup({
    outputs: target.outputs,
    use: (port) => target.use(port),
    serves: (port) => target.serves(port),
    signal,
  });
  const ids = (group.Instances ?? []).filter((i) => i.LifecycleState === 'InService').map((i) => i.InstanceId ?? '');
  return `would ${verb} ${ids.length} InService instance(s) of ${target.outputs.asgName}: ${ids.join(', ') || 'none (the run would fail)'}`;
}
