import type { PlatformOutputs } from '../../../contract/outputs';
import type { HostAccess } from '../../faults/ports';
import { hostKeyName } from './known-hosts';
import { resolveSshSettings, type SshEnvironment } from './ssh-settings';
import { withSshSession } from './ssh-session';

/**
 * Host access over SSH, as an operator (or the seed's experiments) would: the host, port and user
 * from the outputs, the key and host key from the fault's arguments, the environment, or `keyDir`.
 */
export function sshHostAccess(outputs: PlatformOutputs, keyDir: string, environment: () => SshEnvironment): HostAccess {
  return {
    name: 'ssh',
    where: `${outputs.sshUser}@${hostKeyName(outputs.sshHost, outputs.sshPort)}`,
    host: outputs.sshHost,
    withSession: (options, signal, fn) => withSshSession(resolveSshSettings(options, outputs, environment(), keyDir), signal, fn),
  };
}
