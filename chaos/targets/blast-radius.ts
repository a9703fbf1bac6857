import { copiesOf, type PlatformOutputs, type ServiceOutputs } from '../../contract/outputs';
import { SERVICE_NAMES } from '../../contract/services';

/**
 * A resource a fault acts on. Fault descriptors declare their targets so that the engine can refuse,
 * before anything runs, a fault aimed at something the stack outputs do not name.
 */
export type TargetRef =
  /** A service by logical name (`api`) or by ECS/swarm service name. */
  | { readonly kind: 'service'; readonly service: string }
  /** A container by name (what `docker stop` matches). */
  | { readonly kind: 'container'; readonly container: string }
  /** The ECS cluster, by name or ARN. */
  | { readonly kind: 'cluster'; readonly cluster: string }
  /** The Auto Scaling group. */
  | { readonly kind: 'asg'; readonly asg: string }
  /** An instance, named together with the group it was found in (only known at run time). */
  | { readonly kind: 'instance'; readonly instanceId: string; readonly asg: string }
  /** A host reached over SSH. */
  | { readonly kind: 'host'; readonly host: string }
  /** An instance reached over SSM, named with the cluster its container instance belongs to (known at run time). */
  | { readonly kind: 'container-instance'; readonly instanceId: string; readonly cluster: string }
  /** A node of the multi-node rehearsal (`node-1`), by the name the outputs list. */
  | { readonly kind: 'node'; readonly node: string }
  /** A zone of the multi-node rehearsal's nodes (`zone-a`). */
  | { readonly kind: 'zone'; readonly zone: string };

function serviceEntries(outputs: PlatformOutputs): ({ name: string } & ServiceOutputs)[] {
  return SERVICE_NAMES.map((name) => ({ name, ...outputs.services[name] }));
}

/** The multi-node rehearsal's nodes the outputs list (none in any other outputs). */
function nodesOf(outputs: PlatformOutputs): readonly { readonly name: string; readonly zone: string }[] {
  return ('nodes' in outputs ? outputs.nodes : undefined) ?? [];
}

/**
 * Checks one target against the outputs. Returns null when allowed, else a sentence saying what the
 * target is and what the outputs name instead.
 */
export function blastRadiusViolation(target: TargetRef, outputs: PlatformOutputs): string | null {
  const services = serviceEntries(outputs);
  switch (target.kind) {
    case 'service':
      // A service's copies (each its own ECS/swarm service) are the service's too.
      return services.some(
        (s) => s.name === target.service || s.serviceName === target.service || copiesOf(s).some((c) => c.serviceName === target.service),
      )
        ? null
        : `service "${target.service}" is not named in the outputs (services: ${services.map((s) => `${s.name}/${s.serviceName}`).join(', ')})`;
    case 'container':
      return services.some((s) => s.containerName === target.container)
        ? null
        : `container "${target.container}" is not named in the outputs (containers: ${services.map((s) => s.containerName).join(', ')})`;
    case 'cluster':
      return target.cluster === outputs.clusterName || target.cluster === outputs.clusterArn
        ? null
        : `cluster "${target.cluster}" is not the outputs' cluster "${outputs.clusterName}"`;
    case 'asg':
      return target.asg === outputs.asgName ? null : `Auto Scaling group "${target.asg}" is not the outputs' group "${outputs.asgName}"`;
    case 'instance':
      return target.asg === outputs.asgName
        ? null
        : `instance ${target.instanceId} belongs to "${target.asg}", not to the outputs' group "${outputs.asgName}"`;
    case 'host':
      return target.host === outputs.sshHost || target.host === outputs.publicIp
        ? null
        : `host "${target.host}" is not the outputs' SSH host "${outputs.sshHost}"`;
    case 'container-instance':
      return target.cluster === outputs.clusterName || target.cluster === outputs.clusterArn
        ? null
        : `instance ${target.instanceId} is a container instance of "${target.cluster}", not of the outputs' cluster "${outputs.clusterName}"`;
    case 'node': {
      const nodes = nodesOf(outputs);
      return nodes.some((n) => n.name === target.node)
        ? null
        : `node "${target.node}" is not named in the outputs (nodes: ${nodes.map((n) => n.name).join(', ') || 'none'})`;
    }
    case 'zone': {
      const nodes = nodesOf(outputs);
      const zones = [...new Set(nodes.map((n) => n.zone))];
      if (!zones.includes(target.zone)) return `zone "${target.zone}" holds no node of the outputs (zones: ${zones.join(', ') || 'none'})`;
      // Cutting every zone is losing the whole fleet, not a zone.
      return zones.length < 2 ? `zone "${target.zone}" is the outputs' only zone: cutting it off is losing every node` : null;
    }
  }
}

/** The first violation among several targets, or null. */
export function firstBlastRadiusViolation(targets: readonly TargetRef[], outputs: PlatformOutputs): string | null {
  for (const target of targets) {
    const violation = blastRadiusViolation(target, outputs);
    if (violation !== null) return violation;
  }
  return null;
}
