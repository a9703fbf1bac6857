import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { defineFault } from '../../faults/define-fault';
import { AWS_INSTANCES, groupTargets, inServiceInstances, liveInstances } from './group-instances';

/**
 * `ec2:terminate-instance`: the instance is lost for good; the Auto Scaling group must launch a new
 * one, which registers with the cluster, and ECS must place every task again there. The Elastic IP
 * and the certificate volume follow the new instance.
 */
export const ec2TerminateInstance = defineFault({
  id: 'ec2:terminate-instance',
  kind: 'action',
  description:
    "Terminate the InService instance of the outputs' Auto Scaling group; the group must replace it and the cluster get its container instance back",
  destructive: true,
  requires: AWS_INSTANCES,
  args: z.strictObject({}),
  targets: (_a, outputs) => groupTargets(outputs.asgName),
  describe: (_a, { outputs }) => `EC2 TerminateInstances for the InService instances of ${outputs.asgName} (looked up at run time)`,
  live: (_a, target, signal) => liveInstances('terminate', target, signal),
  async run(ctx) {
    const ids = await inServiceInstances(ctx);
    ctx.log.info(`terminating ${ids.join(', ')}`);
    const out = await ctx
      .use('aws')
      .ec2()
      .send(new TerminateInstancesCommand({ InstanceIds: ids }), { abortSignal: ctx.signal });
    const at = ctx.clock.now();
    for (const id of ids) ctx.record.stopped({ fault: 'ec2:terminate-instance', service: 'instance', unit: 'ec2-instance', id, at });
    return {
      asg: ctx.outputs.asgName,
      terminated: (out.TerminatingInstances ?? []).map((i) => ({
        instanceId: i.InstanceId ?? '',
        previousState: i.PreviousState?.Name ?? null,
        currentState: i.CurrentState?.Name ?? null,
      })),
      at: new Date(at).toISOString(),
    };
  },
});
