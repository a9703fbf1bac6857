import type { PlatformOutputs } from '../../../contract/outputs';
import type { ServiceName } from '../../../contract/services';
import type { HostAccess, PortRequirement } from '../../faults/ports';
import type { TargetView } from '../../faults/types';
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

/** For `--dry-run --live`: the machine the host command would reach now (SSM asks ECS which, read-only). */
export async function liveHost(verb: string, service: ServiceName, target: TargetView, signal: AbortSignal): Promise<string> {
  const host = target.use('host');
  const where = host.resolveWhere === undefined ? `${host.where} over ${host.name.toUpperCase()}` : await host.resolveWhere(signal);
  return `would ${verb} the container of ${target.outputs.services[service].serviceName} on ${where}`;
}
