import { z } from 'zod';

/** Arguments every host fault takes to find its SSH key and check the host's; over SSM, IAM decides and they are ignored. */
export const sshConnectionArgs = {
  privateKey: z
    .string()
    .min(1)
    .optional()
    .describe(
      'SSH only: private key file (default: $CHAOS_SSH_KEY, else .rehearsal/ssh/id_ed25519 on the local target, else ~/.ssh/id_ed25519)',
    ),
  knownHosts: z
    .string()
    .min(1)
    .optional()
    .describe(
      'SSH only: known_hosts file the host key is checked against (default: $CHAOS_SSH_KNOWN_HOSTS, else .rehearsal/ssh/known_hosts on the local target, else ~/.ssh/known_hosts)',
    ),
  hostKeyFingerprint: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'expected "SHA256:" and 43 base64 characters, as ssh-keygen -lf prints it')
    .optional()
    .describe('SSH only: pinned host key fingerprint (SHA256:…); replaces the known_hosts check'),
  connectTimeoutMs: z
    .number()
    .int()
    .positive()
    .max(120_000)
    .default(10_000)
    .describe('SSH only: milliseconds to connect and authenticate (default 10000)'),
};
