import { homedir, userInfo } from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { acmeEnvironmentSchema, acmeSettings, type AcmeSettings } from './acme';
import { PrerequisiteError } from './errors';

/** The environment name the rehearsal stands for; names follow the stack's `platform-<env>` prefix. */
export const ENVIRONMENT = 'local';
/** Name prefix, as the stack's `platform-${env.name}`. */
export const NAME_PREFIX = `platform-${ENVIRONMENT}`;
/** Swarm stack name: services are `<stack>_<service>`. */
export const STACK_NAME = NAME_PREFIX;
/** Named volume mounted at the proxy's /etc/acme: the local stand-in for the EFS file system. */
export const CERTIFICATE_VOLUME = `${NAME_PREFIX}-acme`;

/** Where everything lives and which ports the rehearsal uses. */
export interface RehearsalSettings {
  /** The repository checkout. */
  readonly repoRoot: string;
  /** `docker/`: the build context of all three images. */
  readonly dockerDir: string;
  /**
   * `<repo>/.rehearsal`: what other tools read (outputs.json, the SSH client key, known_hosts)
   * and the sshd's own files. Git ignores it.
   */
  readonly rehearsalDir: string;
  /**
   * Cache kept across `down` (removed by `down --purge`): the data root of the dockerd the
   * rehearsal starts (images, stand-in bases, the certificate volume), its socket, pid and log.
   * Outside the checkout: an overlay2 data root holds thousands of files editors should not watch.
   */
  readonly stateDir: string;
  /** Port the proxy listens on (127.0.0.1); the stack's is 80. */
  readonly proxyPort: number;
  /** Port of the rehearsal's sshd on 127.0.0.1. */
  readonly sshPort: number;
  /**
   * The proxy's ACME mode (`REHEARSAL_DOMAIN`, `REHEARSAL_ACME_DIRECTORY`, see acme.ts); undefined:
   * plain HTTP, no certificate.
   */
  readonly acme: AcmeSettings | undefined;
  /** `DOCKER_HOST` as given to this process, if any: then that engine, and no other, is used. */
  readonly dockerHostFromEnv: string | undefined;
  /** Only root may start a dockerd, run debootstrap, or let sshd log users in. */
  readonly isRoot: boolean;
  /** The user SSH logs in as: whoever runs the rehearsal (sshd can only log in its own user). */
  readonly user: string;
}

const port = (name: string, fallback: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a TCP port (1-65535), got "${value}"` });
        return z.NEVER;
      }
      return n;
    });

const environmentSchema = z
  .object({
    REHEARSAL_STATE_DIR: z.string().optional(),
    REHEARSAL_PROXY_PORT: port('REHEARSAL_PROXY_PORT', 80),
    REHEARSAL_SSH_PORT: port('REHEARSAL_SSH_PORT', 2222),
    REHEARSAL_HTTPS_PORT: port('REHEARSAL_HTTPS_PORT', 443),
    DOCKER_HOST: z.string().optional(),
  })
  .extend(acmeEnvironmentSchema.shape);

/** A unix socket path must fit in sockaddr_un (108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 107;

/** Reads the settings from the environment (`REHEARSAL_*`, `DOCKER_HOST`) with their defaults. */
export function loadSettings(repoRoot: string, env: NodeJS.ProcessEnv = process.env): RehearsalSettings {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new PrerequisiteError(parsed.error.issues.map((issue) => issue.message).join('; '));
  }
  const values = parsed.data;
  const { acme, problems } = acmeSettings(values, values.REHEARSAL_HTTPS_PORT, process.cwd());
  if (problems.length > 0) throw new PrerequisiteError(problems.join('; '));
  const isRoot = process.getuid?.() === 0;
  const defaultState = isRoot ? '/var/lib/platform-rehearsal' : path.join(homedir(), '.cache', 'platform-rehearsal');
  const stateDir = path.resolve(
    values.REHEARSAL_STATE_DIR !== undefined && values.REHEARSAL_STATE_DIR !== '' ? values.REHEARSAL_STATE_DIR : defaultState,
  );
  const settings: RehearsalSettings = {
    repoRoot,
    dockerDir: path.join(repoRoot, 'docker'),
    rehearsalDir: path.join(repoRoot, '.rehearsal'),
    stateDir,
    proxyPort: values.REHEARSAL_PROXY_PORT,
    sshPort: values.REHEARSAL_SSH_PORT,
    acme,
    dockerHostFromEnv: values.DOCKER_HOST !== undefined && values.DOCKER_HOST !== '' ? values.DOCKER_HOST : undefined,
    isRoot,
    user: userInfo().username,
  };
  if (engineFiles(settings).socket.length > MAX_SOCKET_PATH) {
    throw new PrerequisiteError(`REHEARSAL_STATE_DIR ${stateDir} is too long for a unix socket path: choose a shorter directory`);
  }
  return settings;
}

/** Files of the dockerd the rehearsal starts itself, all under the state directory. */
export function engineFiles(settings: Pick<RehearsalSettings, 'stateDir'>) {
  const dir = settings.stateDir;
  return {
    dataRoot: path.join(dir, 'docker'),
    execRoot: path.join(dir, 'exec'),
    socket: path.join(dir, 'docker.sock'),
    pidFile: path.join(dir, 'docker.pid'),
    logFile: path.join(dir, 'dockerd.log'),
  } as const;
}

/** Files under `.rehearsal/`: the ones other tools read, and the sshd's own. */
export function rehearsalFiles(settings: Pick<RehearsalSettings, 'rehearsalDir'>) {
  const dir = settings.rehearsalDir;
  return {
    /** The `PlatformOutputs` of the rehearsal (the chaos module finds it here by default). */
    outputs: path.join(dir, 'outputs.json'),
    /** How to reach the rehearsal: engine, SSH key and known_hosts (see rehearsal-state.ts). */
    state: path.join(dir, 'rehearsal.json'),
    /** The swarm stack as deployed (compose format, JSON). */
    stack: path.join(dir, 'stack.json'),
    /** The command that restarts the rehearsal's own dockerd (the outputs' `runtimeRestart`). */
    restartEngine: path.join(dir, 'restart-engine'),
    /** The multi-node rehearsal's node control (the outputs' `nodeControl`; see node-control.ts). */
    nodeControl: path.join(dir, 'node-control'),
    /** The ACME mode's CA file, staged for the proxy's bind mount (see acme.ts). */
    acmeDir: path.join(dir, 'acme'),
    /** Build and debootstrap logs. */
    logs: path.join(dir, 'logs'),
    ssh: {
      dir: path.join(dir, 'ssh'),
      privateKey: path.join(dir, 'ssh', 'id_ed25519'),
      publicKey: path.join(dir, 'ssh', 'id_ed25519.pub'),
      knownHosts: path.join(dir, 'ssh', 'known_hosts'),
    },
    sshd: {
      dir: path.join(dir, 'sshd'),
      config: path.join(dir, 'sshd', 'sshd_config'),
      hostKey: path.join(dir, 'sshd', 'ssh_host_ed25519_key'),
      authorizedKeys: path.join(dir, 'sshd', 'authorized_keys'),
      pidFile: path.join(dir, 'sshd', 'sshd.pid'),
      logFile: path.join(dir, 'sshd', 'sshd.log'),
    },
  } as const;
}
