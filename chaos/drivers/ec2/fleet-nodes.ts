import { z } from 'zod';
import type { PlatformOutputs } from '../../../contract/outputs';
import { ActivityFailedError } from '../../errors';
import { commandLine } from '../../faults/command-words';
import type { FleetNode, HostAccessOptions, PortRequirement } from '../../faults/ports';
import type { DriverContext, TargetView } from '../../faults/types';
import type { TargetRef } from '../../targets/blast-radius';
import { sshConnectionArgs } from '../ssh/connection-args';
import { overHost } from '../ssh/ssh-targets';
import { groupTargets } from './group-instances';

/**
 * The instance faults on either target: EC2 instances of the Auto Scaling group through the AWS
 * APIs, or the multi-node rehearsal's nodes through its `node-control` and the swarm manager (the
 * `nodes` port). A single-node rehearsal has neither and is refused when the run binds its faults.
 */

/** The AWS APIs on AWS, the rehearsal's nodes locally. */
export const INSTANCES: readonly PortRequirement[] = [{ port: 'aws', or: 'nodes' }];

/** An EC2 instance id (AWS) or a rehearsal node's name (local). */
export const INSTANCE_OR_NODE = /^(?:i-[0-9a-f]{8,17}|node-[1-9])$/;

/** The instance argument and the SSH connection arguments (used locally only: node-control runs over SSH). */
export const instanceArgs = {
  instance: z
    .string()
    .regex(INSTANCE_OR_NODE, 'expected an EC2 instance id (i-…) on AWS or a node name (node-1 … node-9) on the local target')
    .optional()
    .describe(
      'The instance to act on: an InService EC2 instance id of the group on AWS, a node name (node-2) of the multi-node rehearsal locally (default: the first InService instance / the first ready node, in the order the group / the outputs list them)',
    ),
  ...sshConnectionArgs,
};

export type InstanceArgs = { readonly instance?: string | undefined } & HostAccessOptions;

/**
 * What an instance fault acts on: the group (the outputs' own) and, where the outputs name a
 * node-control (the multi-node rehearsal), the host it runs on and the node named.
 */
export function instanceTargets(outputs: PlatformOutputs, instance: string | undefined): readonly TargetRef[] {
  const nodeControl = 'nodeControl' in outputs && outputs.nodeControl !== undefined;
  return [
    ...groupTargets(outputs.asgName),
    ...(nodeControl ? [{ kind: 'host' as const, host: outputs.sshHost }] : []),
    ...(instance?.startsWith('node-') === true ? [{ kind: 'node' as const, node: instance }] : []),
  ];
}

/** Whether the fault acts through the rehearsal's nodes (else through the AWS APIs): the port it was bound with. */
export function onNodes(target: TargetView): boolean {
  return target.serves('nodes');
}

/** The form of `instance` must fit the port (an instance id is meaningless to node-control, and the reverse). */
export function checkInstanceForm(target: TargetView, instance: string | undefined): void {
  if (instance === undefined) return;
  const node = instance.startsWith('node-');
  if (node !== onNodes(target))
    throw new ActivityFailedError(
      `instance ${instance} is ${node ? 'a rehearsal node name' : 'an EC2 instance id'}, but the target is ${target.outputs.target}: name ${onNodes(target) ? 'a node (node-1 … node-9)' : 'an InService instance id of the group'}, or leave instance out`,
    );
}

/** A node that can be acted on: its engine running, the swarm sees it ready, its link up. */
export function nodeReady(node: FleetNode): boolean {
  return (
    node.engine === 'running' && node.swarmState === 'ready' && node.link === 'up' && (node.loadBalancer ?? 'in-service') === 'in-service'
  );
}

/**
 * Picks the node as the AWS side picks the instance: the one named (which must be one of the
 * outputs' nodes and ready), else the first ready node in the outputs' order. Guarded.
 */
export function chooseNode(ctx: DriverContext, status: readonly FleetNode[], instance: string | undefined, verb: string): FleetNode {
  const listed = ctx.use('nodes').nodes.map((n) => n.name);
  const known = status.filter((n) => listed.includes(n.name));
  const chosen = instance === undefined ? known.find(nodeReady) : known.find((n) => n.name === instance);
  if (instance !== undefined) ctx.guard([{ kind: 'node', node: instance }]);
  if (chosen === undefined)
    throw new ActivityFailedError(
      instance === undefined
        ? `no node is ready to ${verb} (${status.map(describeNode).join('; ') || 'node-control status listed none'})`
        : `node ${instance} is not in node-control status (${status.map((n) => n.name).join(', ') || 'none'})`,
    );
  if (!nodeReady(chosen)) throw new ActivityFailedError(`node ${chosen.name} is not ready to ${verb}: ${describeNode(chosen)}`);
  ctx.guard([{ kind: 'node', node: chosen.name }]);
  return chosen;
}

export function describeNode(n: FleetNode): string {
  return `${n.name} (${n.zone}): engine ${n.engine}, swarm ${n.swarmState}/${n.availability}, link ${n.link}, ${n.replacements} replacement(s)`;
}

/** The dry-run line of a node-control command run on the host. */
export function describeNodeControl(target: TargetView, words: readonly string[], what: string): string {
  return `${overHost(target.use('host'))}: ${commandLine(words)} (${what})`;
}

/** The status of every node, through node-control. */
export function fleetStatus(ctx: DriverContext, a: HostAccessOptions): Promise<readonly FleetNode[]> {
  return ctx.use('nodes').status(a, ctx.signal);
}
