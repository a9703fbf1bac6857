import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { run, runCommand } from './command';
import type { Engine } from './docker-engine';
import { StepFailedError } from './errors';
import { portInUse } from './http-check';
import { ownProcess, POLL_MS, sleep, stopProcess } from './processes';
import { rehearsalFiles, type RehearsalSettings } from './settings';

/**
 * The rehearsal's SSH endpoint: an sshd of its own on 127.0.0.1, so that a chaos experiment reaches
 * the engine exactly as an operator reaches the EC2 host (`ssh host docker stop …`). Its own config,
 * host key, authorized keys and pid file under `.rehearsal/sshd/`; the client key and a known_hosts
 * with the host key under `.rehearsal/ssh/`. Host keys are always checked: never turn that off.
 */

/** How to reach the endpoint. */
export interface SshEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Private key the server accepts (ed25519, no passphrase). */
  readonly privateKey: string;
  /** known_hosts holding the server's host key for `[host]:port`. */
  readonly knownHosts: string;
}

const HOST = '127.0.0.1';

/** The ssh arguments that reach the endpoint with host key checking on and no user config read. */
export function sshArgs(endpoint: SshEndpoint): readonly string[] {
  return [
    '-F',
    'none',
    '-i',
    endpoint.privateKey,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${endpoint.knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'ConnectTimeout=5',
    '-p',
    String(endpoint.port),
    `${endpoint.user}@${endpoint.host}`,
  ];
}

/** The endpoint's description from the settings (whether or not sshd runs). */
function sshEndpoint(settings: RehearsalSettings): SshEndpoint {
  const files = rehearsalFiles(settings);
  return { host: HOST, port: settings.sshPort, user: settings.user, privateKey: files.ssh.privateKey, knownHosts: files.ssh.knownHosts };
}

/**
 * Whether sshd's StrictModes would reject the authorized keys file: sshd refuses a file under a
 * group- or world-writable directory (such as /tmp) or one owned by another user.
 */
function strictModesHold(file: string): boolean {
  const uid = process.getuid?.() ?? 0;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const st = statSync(dir);
    if ((st.mode & 0o022) !== 0 || (st.uid !== 0 && st.uid !== uid)) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

async function ensureKey(sshKeygen: string, file: string, comment: string): Promise<void> {
  if (existsSync(file) && existsSync(`${file}.pub`)) return;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  await run(sshKeygen, ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

function sshdConfig(settings: RehearsalSettings, engine: Engine): string {
  const files = rehearsalFiles(settings).sshd;
  return [
    '# Written by rehearsal/ (rehearsal up); rewritten at every up.',
    `ListenAddress ${HOST}:${settings.sshPort}`,
    `HostKey ${files.hostKey}`,
    `PidFile ${files.pidFile}`,
    `AuthorizedKeysFile ${files.authorizedKeys}`,
    `AllowUsers ${settings.user}`,
    'AuthenticationMethods publickey',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    // No PAM: the session needs no account or limits setup, and PAM would want the system's sshd
    // configuration.
    'UsePAM no',
    `StrictModes ${strictModesHold(files.authorizedKeys) ? 'yes' : 'no'}`,
    // A remote `docker` reaches the rehearsal's engine, wherever its socket is.
    `SetEnv DOCKER_HOST=${engine.host}`,
    'X11Forwarding no',
    'AllowAgentForwarding no',
    'PrintMotd no',
    'LogLevel VERBOSE',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

/** The pid of the rehearsal's sshd when it runs. */
export function sshdPid(settings: RehearsalSettings): number | undefined {
  const files = rehearsalFiles(settings).sshd;
  // sshd's process title keeps its command line, which holds our config file's path.
  return ownProcess(files.pidFile, files.config);
}

async function startSshd(settings: RehearsalSettings, sshd: string): Promise<void> {
  const files = rehearsalFiles(settings).sshd;
  // sshd checks the config, the host key's permissions and the listen address before forking:
  // this exit status is the whole story of a failed start.
  const exited = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(sshd, ['-f', files.config, '-E', files.logFile], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const deadline = Date.now() + 10_000;
  while (exited === 0 && Date.now() < deadline) {
    if (sshdPid(settings) !== undefined && (await portInUse(settings.sshPort))) return;
    await sleep(POLL_MS);
  }
  const log = existsSync(files.logFile) ? readFileSync(files.logFile, 'utf8').trimEnd().split('\n').slice(-10).join('\n') : '';
  throw new StepFailedError(`sshd did not start on ${HOST}:${settings.sshPort} (exit ${exited}; log ${files.logFile}):\n${log}`);
}

/**
 * Makes the keys, config and known_hosts, and (re)starts sshd when it does not run or its config
 * changed. Returns the endpoint and whether sshd was started now.
 */
export async function ensureSshd(
  settings: RehearsalSettings,
  engine: Engine,
  tools: { readonly sshd: string; readonly sshKeygen: string },
): Promise<{ readonly endpoint: SshEndpoint; readonly started: boolean }> {
  const files = rehearsalFiles(settings);
  mkdirSync(files.sshd.dir, { recursive: true, mode: 0o700 });
  mkdirSync(files.ssh.dir, { recursive: true, mode: 0o700 });
  await ensureKey(tools.sshKeygen, files.sshd.hostKey, 'platform-rehearsal-host');
  await ensureKey(tools.sshKeygen, files.ssh.privateKey, 'platform-rehearsal-client');
  // Only from loopback, whatever sshd listens on.
  const clientKey = readFileSync(files.ssh.publicKey, 'utf8').trim();
  writeFileSync(files.sshd.authorizedKeys, `from="127.0.0.1,::1" ${clientKey}\n`, { mode: 0o600 });
  // The host key as `[host]:port`, the form ssh (and the chaos SSH driver) look up for a non-22 port.
  const [keyType, keyData] = readFileSync(`${files.sshd.hostKey}.pub`, 'utf8').trim().split(/\s+/);
  const hostPattern = settings.sshPort === 22 ? HOST : `[${HOST}]:${settings.sshPort}`;
  writeFileSync(files.ssh.knownHosts, `${hostPattern} ${keyType} ${keyData}\n`, { mode: 0o600 });
  chmodSync(files.sshd.hostKey, 0o600);

  const config = sshdConfig(settings, engine);
  const running = sshdPid(settings);
  const unchanged = existsSync(files.sshd.config) && readFileSync(files.sshd.config, 'utf8') === config;
  if (running !== undefined && unchanged) return { endpoint: sshEndpoint(settings), started: false };
  if (running !== undefined) await stopProcess(running, 5000);
  writeFileSync(files.sshd.config, config, { mode: 0o600 });
  if (await portInUse(settings.sshPort)) {
    throw new StepFailedError(`${HOST}:${settings.sshPort} is taken by another program: choose a free port with REHEARSAL_SSH_PORT`);
  }
  // Root's sshd wants its privilege separation directory even with a config of its own.
  if (settings.isRoot) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const test = await runCommand(tools.sshd, ['-t', '-f', files.sshd.config]);
  if (test.code !== 0) throw new StepFailedError(`sshd -t rejects ${files.sshd.config}:\n${test.stderr.trim()}`);
  await startSshd(settings, tools.sshd);
  return { endpoint: sshEndpoint(settings), started: true };
}

/** Stops the rehearsal's sshd, if it runs. */
export async function stopSshd(settings: RehearsalSettings): Promise<'stopped' | 'not-running'> {
  const pid = sshdPid(settings);
  if (pid === undefined) return 'not-running';
  await stopProcess(pid, 5000);
  return 'stopped';
}

/** Runs `command` on the endpoint over ssh, with host key checking; returns its stdout. */
export function sshRun(ssh: string, endpoint: SshEndpoint, command: readonly string[]): Promise<string> {
  return run(ssh, [...sshArgs(endpoint), ...command], { timeoutMs: 30_000 });
}
