import type { PlatformOutputs } from '../../../contract/outputs';
import type { ServiceName } from '../../../contract/services';
import type { HostAccess, PortRequirement } from '../../faults/ports';
import type { TargetRef } from '../../targets/blast-radius';

/** What a fault on a service's container on the host uses: the host, and the orchestrator's labels. */
export const HOST_AND_ORCHESTRATOR: readonly PortRequirement[] = [{ port: 'host' }, { port: 'orchestrator' }];

/** What an SSH fault on a service's container acts on, for the blast-radius guard. */
export function sshTargets(service: ServiceName, outputs: PlatformOutputs): readonly TargetRef[] {
  const s = outputs.services[service];
  return [
    { kind: 'host', host: outputs.sshHost },
    { kind: 'service', service: s.serviceName },
    { kind: 'container', container: s.containerName },
  ];
}

/** How a dry run says where a host command goes: `over SSH to ec2-user@…` or `over SSM to …`. */
export function overHost(host: HostAccess): string {
  return `over ${host.name.toUpperCase()} to ${host.where}`;
}
