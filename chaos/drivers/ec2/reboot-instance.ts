import { RebootInstancesCommand } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { defineFault } from '../../faults/define-fault';
import { AWS_INSTANCES, groupTargets, inServiceInstances, liveInstances } from './group-instances';

/**
 * `ec2:reboot-instance`: every task on the instance goes down with it and comes back with the ECS
 * agent; the instance id stays. Destructive: with one instance the whole platform is down meanwhile.
 */
export const ec2RebootInstance = defineFault({
  id: 'ec2:reboot-instance',
  kind: 'action',
  description: "Reboot the InService instance(s) of the outputs' Auto Scaling group (the whole platform restarts with it)",
  destructive: true,
  requires: AWS_INSTANCES,
  args: z.strictObject({}),
  targets: (_a, outputs) => groupTargets(outputs.asgName),
  describe: (_a, { outputs }) => `EC2 RebootInstances for the InService instances of ${outputs.asgName} (looked up at run time)`,
  live: (_a, target, signal) => liveInstances('reboot', target, signal),
  async run(ctx) {
    const ids = await inServiceInstances(ctx);
    ctx.log.info(`rebooting ${ids.join(', ')}`);
    await ctx
      .use('aws')
      .ec2()
      .send(new RebootInstancesCommand({ InstanceIds: ids }), { abortSignal: ctx.signal });
    return { asg: ctx.outputs.asgName, rebooted: ids, at: new Date(ctx.clock.now()).toISOString() };
  },
});
