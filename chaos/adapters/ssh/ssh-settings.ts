import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { PlatformOutputs } from '../../../contract/outputs';

/** Arguments every SSH fault takes to find its key and check the host's. */
export const sshConnectionArgs = {
  privateKey: z
    .string()
    .min(1)
    .optional()
    .describe('Private key file (default: $CHAOS_SSH_KEY, else .rehearsal/ssh/id_ed25519 on the local target, else ~/.ssh/id_ed25519)'),
  knownHosts: z
    .string()
    .min(1)
    .optional()
    .describe(
      'known_hosts file the host key is checked against (default: $CHAOS_SSH_KNOWN_HOSTS, else .rehearsal/ssh/known_hosts on the local target, else ~/.ssh/known_hosts)',
    ),
  hostKeyFingerprint: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'expected "SHA256:" and 43 base64 characters, as ssh-keygen -lf prints it')
    .optional()
    .describe('Pinned host key fingerprint (SHA256:…); replaces the known_hosts check'),
  connectTimeoutMs: z
    .number()
    .int()
    .positive()
    .max(120_000)
    .default(10_000)
    .describe('Milliseconds to connect and authenticate (default 10000)'),
};

export interface SshConnectionArgs {
  readonly privateKey?: string | undefined;
  readonly knownHosts?: string | undefined;
  readonly hostKeyFingerprint?: string | undefined;
  readonly connectTimeoutMs: number;
}

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
 * Arguments first, then `CHAOS_SSH_KEY` / `CHAOS_SSH_KNOWN_HOSTS`, then what the local rehearsal
 * writes (target local) or the user's `~/.ssh` (target aws). Host, port and user come only from
 * the outputs.
 */
export function resolveSshSettings(args: SshConnectionArgs, outputs: PlatformOutputs, where: SshEnvironment): SshSettings {
  const local = outputs.target === 'local';
  const fromCwd = (file: string): string => (isAbsolute(file) ? file : resolve(where.cwd, file.replace(/^~(?=\/)/, where.home)));
  const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);
  const privateKeyFile = fromCwd(
    args.privateKey ??
      nonEmpty(where.env.CHAOS_SSH_KEY) ??
      (local ? join('.rehearsal', 'ssh', 'id_ed25519') : join(where.home, '.ssh', 'id_ed25519')),
  );
  const knownHostsFile = fromCwd(
    args.knownHosts ??
      nonEmpty(where.env.CHAOS_SSH_KNOWN_HOSTS) ??
      (local ? join('.rehearsal', 'ssh', 'known_hosts') : join(where.home, '.ssh', 'known_hosts')),
  );
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
