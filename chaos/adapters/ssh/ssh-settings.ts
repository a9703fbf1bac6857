import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { PlatformOutputs } from '../../../contract/outputs';
import type { HostAccessOptions } from '../../faults/ports';

/** Where and how to connect, every default resolved. */
export interface SshSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly privateKeyFile: string;
  /** How the host key is checked. */
  readonly hostKey:
    { readonly kind: 'known-hosts'; readonly file: string } | { readonly kind: 'fingerprint'; readonly fingerprint: string };
  readonly connectTimeoutMs: number;
}

/** What the defaults depend on besides the arguments. */
export interface SshEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
  readonly cwd: string;
}

export const processSshEnvironment = (): SshEnvironment => ({ env: process.env, home: homedir(), cwd: process.cwd() });

/**
 * Arguments first, then `CHAOS_SSH_KEY` / `CHAOS_SSH_KNOWN_HOSTS`, then `id_ed25519` and
 * `known_hosts` in `keyDir` (the target's: what the rehearsal writes, or the user's `~/.ssh`).
 * Host, port and user come only from the outputs.
 */
export function resolveSshSettings(args: HostAccessOptions, outputs: PlatformOutputs, where: SshEnvironment, keyDir: string): SshSettings {
  const fromCwd = (file: string): string => (isAbsolute(file) ? file : resolve(where.cwd, file.replace(/^~(?=\/)/, where.home)));
  const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);
  const privateKeyFile = fromCwd(args.privateKey ?? nonEmpty(where.env.CHAOS_SSH_KEY) ?? join(keyDir, 'id_ed25519'));
  const knownHostsFile = fromCwd(args.knownHosts ?? nonEmpty(where.env.CHAOS_SSH_KNOWN_HOSTS) ?? join(keyDir, 'known_hosts'));
  return {
    host: outputs.sshHost,
    port: outputs.sshPort,
    user: outputs.sshUser,
    privateKeyFile,
    hostKey:
      args.hostKeyFingerprint !== undefined
        ? { kind: 'fingerprint', fingerprint: args.hostKeyFingerprint }
        : { kind: 'known-hosts', file: knownHostsFile },
    connectTimeoutMs: args.connectTimeoutMs,
  };
}
