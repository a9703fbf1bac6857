import type { PlatformOutputs } from '../../../contract/outputs';
import type { ServiceName } from '../../../contract/services';
import type { TargetRef } from '../../targets/blast-radius';
import { hostKeyName } from '../../adapters/ssh/known-hosts';

/** What an SSH fault on a service's container acts on, for the blast-radius guard. */
export function sshTargets(service: ServiceName, outputs: PlatformOutputs): readonly TargetRef[] {
  const s = outputs.services[service];
  return [
    { kind: 'host', host: outputs.sshHost },
    { kind: 'service', service: s.serviceName },
    { kind: 'container', container: s.containerName },
  ];
}

/** `user@host` or `user@[host]:port`, for messages and dry runs. */
export function sshWhere(outputs: PlatformOutputs): string {
  return `${outputs.sshUser}@${hostKeyName(outputs.sshHost, outputs.sshPort)}`;
}
