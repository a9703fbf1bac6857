import type { PlatformOutputs } from '../../../contract/outputs';
import { ActivityFailedError } from '../../errors';
import type { HostAccess } from '../../faults/ports';
import { hostKeyName } from './known-hosts';
import { httpGetOverStream } from './ssh-http-get';
import { resolveSshSettings, type SshEnvironment } from './ssh-settings';
import { withSshSession } from './ssh-session';

/**
 * Host access over SSH, as an operator (or the seed's experiments) would: the host, port and user
 * from the outputs, the key and host key from the fault's arguments, the environment, or `keyDir`.
 */
export function sshHostAccess(outputs: PlatformOutputs, keyDir: string, environment: () => SshEnvironment): HostAccess {
  const where = `${outputs.sshUser}@${hostKeyName(outputs.sshHost, outputs.sshPort)}`;
  return {
    name: 'ssh',
    where,
    host: outputs.sshHost,
    withSession: (options, signal, fn) => withSshSession(resolveSshSettings(options, outputs, environment(), keyDir), signal, fn),
    httpGet: (options, signal, req) =>
      withSshSession(resolveSshSettings(options, outputs, environment(), keyDir), signal, async (session) => {
        const stream = await session.forwardToLocalPort(req.port);
        try {
          return await httpGetOverStream(stream, req, signal);
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          const url = `http://127.0.0.1:${req.port}${req.path}`;
          throw new ActivityFailedError(`GET ${url} on ${where} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }),
  };
}
