import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import type { JsonObject } from '../../../contract/json';
import { ActivityFailedError } from '../../errors';
import { defineFault } from '../../faults/define-fault';
import type { DriverContext } from '../../faults/types';
import {
  checkInstanceForm,
  chooseNode,
  describeNodeControl,
  fleetStatus,
  INSTANCES,
  onNodes,
  instanceArgs,
  instanceTargets,
  type InstanceArgs,
} from './fleet-nodes';
import { inServiceInstances, liveInstances } from './group-instances';

const FAULT = 'ec2:terminate-instance';

/** AWS: the instance named, else the group's first InService instance (with one instance: that one, as before). */
async function terminateEc2(ctx: DriverContext, a: InstanceArgs): Promise<JsonObject> {
  const inService = await inServiceInstances(ctx);
  if (a.instance !== undefined && !inService.includes(a.instance))
    throw new ActivityFailedError(`instance ${a.instance} is not InService in ${ctx.outputs.asgName} (InService: ${inService.join(', ')})`);
  const ids = [a.instance ?? (inService[0] as string)];
  ctx.log.info(`terminating ${ids.join(', ')}`);
  const out = await ctx
    .use('aws')
    .ec2()
    .send(new TerminateInstancesCommand({ InstanceIds: ids }), { abortSignal: ctx.signal });
  const at = ctx.clock.now();
  for (const id of ids) ctx.record.stopped({ fault: FAULT, service: 'instance', unit: 'ec2-instance', id, at });
  return {
    asg: ctx.outputs.asgName,
    terminated: (out.TerminatingInstances ?? []).map((i) => ({
      instanceId: i.InstanceId ?? '',
      previousState: i.PreviousState?.Name ?? null,
      currentState: i.CurrentState?.Name ?? null,
    })),
    at: new Date(at).toISOString(),
  };
}

/** Local: `node-control terminate <node>` on the host: power loss of the node; the stand-in group replaces it. */
async function terminateNode(ctx: DriverContext, a: InstanceArgs): Promise<JsonObject> {
  const status = await fleetStatus(ctx, a);
  const node = chooseNode(ctx, status, a.instance, 'terminate');
  ctx.log.info(`terminating node ${node.name} (${node.zone}, swarm node ${node.swarmNodeId ?? '?'}) with node-control`);
  const killed = await ctx.use('nodes').terminate(a, ctx.signal, node.name);
  const at = ctx.clock.now();
  ctx.record.stopped({
    fault: FAULT,
    service: 'instance',
    unit: 'rehearsal-node',
    id: node.name,
    at,
    node: { swarmNodeId: node.swarmNodeId, replacements: node.replacements },
  });
  return {
    node: node.name,
    zone: node.zone,
    address: node.address,
    swarmNodeId: node.swarmNodeId,
    replacementsBefore: node.replacements,
    nodeControl: killed,
    at: new Date(at).toISOString(),
  };
}

/**
 * `ec2:terminate-instance`: the instance is lost for good; the Auto Scaling group must launch a new
 * one, which registers with the cluster, and ECS must place every task again there. The Elastic IP
 * (one instance) or the load balancer (several) and the certificate volume serve the new one.
 * Locally, on the multi-node rehearsal: the node's power is cut (`node-control terminate`), and
 * the stand-in group launches a replacement in its slot that rejoins the swarm.
 */
export const ec2TerminateInstance = defineFault({
  id: 'ec2:terminate-instance',
  kind: 'action',
  description:
    "Terminate one InService instance of the outputs' Auto Scaling group (the one named, else the first); the group must replace it and the cluster get its container instance back. Local target (--nodes 3): node-control terminate <node>, the stand-in group replaces it",
  destructive: true,
  requires: INSTANCES,
  args: z.strictObject(instanceArgs),
  targets: (a, outputs) => instanceTargets(outputs, a.instance),
  describe: (a, target) =>
    !onNodes(target)
      ? `EC2 TerminateInstances for ${a.instance ?? 'the first InService instance'} of ${target.outputs.asgName} (looked up at run time)`
      : describeNodeControl(
          target,
          a.instance === undefined
            ? [...target.use('nodes').words('terminate'), '<node>']
            : target.use('nodes').words('terminate', a.instance),
          `SIGKILL every process of ${a.instance ?? 'the first ready node of node-control status'}; the stand-in Auto Scaling group replaces it`,
        ),
  live: (_a, target, signal) =>
    !onNodes(target) ? liveInstances('terminate the first (or the named one) of', target, signal) : Promise.resolve(null),
  async run(ctx, a) {
    checkInstanceForm(ctx, a.instance);
    return onNodes(ctx) ? terminateNode(ctx, a) : terminateEc2(ctx, a);
  },
});
