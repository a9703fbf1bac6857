/**
 * A real sshd on 127.0.0.1 for the SSH driver's tests: its own config, host key, authorized keys
 * and pid file in a temporary directory, and a fake `docker` first on the session's PATH that logs
 * every argv it receives and prints canned `docker ps` output.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import * as net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../images/support/free-port';

export const SSHD = '/usr/sbin/sshd';
export const STARTED_AT = '2026-05-02T10:00:00.123456789Z';

/** Whether sshd can run here; its absence registers a failing test naming the package (never a silent skip). */
export function sshdAvailable(): boolean {
  try {
    accessSync(SSHD, constants.X_OK);
    return true;
  } catch {
    test('sshd (Debian package openssh-server) is installed', () => {
      throw new Error(`${SSHD} is not installed: run \`npm run setup\` (as root), or apt-get install openssh-server`);
    });
    return false;
  }
}

function keygen(file: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The fake docker: argv to the log, one word per line, `--` after each call. With `hang`, it never
 * ends (a frozen engine); with `freeze`, it SIGSTOPs the sshd processes between itself and the
 * listening sshd, that one included (a frozen host), and lists what it stopped in `frozen`.
 */
const FAKE_DOCKER = (dir: string): string => `#!/bin/sh
{ for a in "$@"; do printf '%s\\n' "$a"; done; echo '--'; } >> '${dir}/docker.log'
if [ -f '${dir}/hang' ]; then echo $$ >> '${dir}/hung'; exec sleep 3600; fi
if [ -f '${dir}/freeze' ]; then
  master=$(cat '${dir}/master.pid'); chain=''; p=$PPID
  while [ "$p" -gt 1 ]; do
    chain="$chain $p"
    [ "$p" = "$master" ] && break
    p=$(cut -d' ' -f4 /proc/$p/stat)
  done
  if [ "$p" = "$master" ]; then echo $chain > '${dir}/frozen'; kill -STOP $chain; fi
  exit 0
fi
if [ -f '${dir}/delay' ]; then sleep "$(cat '${dir}/delay')"; fi
case "$1" in
  ps) cat '${dir}/ps-output' ;;
  inspect) cat '${dir}/started-at' ;;
  stop|kill) eval "last=\\\${$#}"; echo "$last" ;;
  *) echo "fake docker: unexpected $1" >&2; exit 3 ;;
esac
if [ -f '${dir}/exit-code' ]; then exit "$(cat '${dir}/exit-code')"; fi
`;

export class TestSshd {
  private child: ChildProcess | null = null;
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly user: string,
  ) {}

  get privateKey(): string {
    return join(this.dir, 'client_key');
  }
  get knownHosts(): string {
    return join(this.dir, 'known_hosts');
  }
  get hostPublicKey(): string {
    return join(this.dir, 'host_key.pub');
  }

  static async start(): Promise<TestSshd> {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-sshd-'));
    const port = await freePort();
    const sshd = new TestSshd(dir, port, userInfo().username);
    keygen(join(dir, 'host_key'), 'test-host');
    keygen(join(dir, 'client_key'), 'test-client');
    await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'client_key.pub')), { mode: 0o600 });
    const [type, key] = (await readFile(join(dir, 'host_key.pub'), 'utf8')).trim().split(/\s+/);
    await writeFile(sshd.knownHosts, `[127.0.0.1]:${port} ${type} ${key}\n`);
    await mkdir(join(dir, 'bin'));
    await writeFile(join(dir, 'bin', 'docker'), FAKE_DOCKER(dir));
    await chmod(join(dir, 'bin', 'docker'), 0o755);
    await writeFile(join(dir, 'ps-output'), '');
    await writeFile(join(dir, 'started-at'), `${STARTED_AT}\n`);
    const config = [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `AllowUsers ${sshd.user}`,
      'AuthenticationMethods publickey',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      `SetEnv PATH=${join(dir, 'bin')}:/usr/bin:/bin`,
      'LogLevel VERBOSE',
      '',
    ].join('\n');
    await writeFile(join(dir, 'sshd_config'), config);
    if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    sshd.child = spawn(SSHD, ['-D', '-r', '-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')], { stdio: 'ignore' });
    await writeFile(join(dir, 'master.pid'), String(sshd.child.pid ?? ''));
    const deadline = Date.now() + 10_000;
    while (!(await portAnswers(port))) {
      if (Date.now() > deadline || sshd.child.exitCode !== null) {
        const log = await readFile(join(dir, 'sshd.log'), 'utf8').catch(() => '');
        throw new Error(`sshd did not start on 127.0.0.1:${port}: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return sshd;
  }

  /** What the fake `docker ps` prints next. */
  async psOutput(lines: readonly string[]): Promise<void> {
    await writeFile(join(this.dir, 'ps-output'), lines.map((l) => `${l}\n`).join(''));
  }

  /** What the fake `docker inspect` prints as the container's start time. */
  async startedAt(time: string): Promise<void> {
    await writeFile(join(this.dir, 'started-at'), `${time}\n`);
  }

  /** Makes every fake docker call take `seconds` (null: answer at once again). */
  async dockerDelay(seconds: number | null): Promise<void> {
    if (seconds === null) await rm(join(this.dir, 'delay'), { force: true });
    else await writeFile(join(this.dir, 'delay'), String(seconds));
  }

  /** Makes every fake docker call exit with `code` (null: 0 again). */
  async dockerExit(code: number | null): Promise<void> {
    if (code === null) await rm(join(this.dir, 'exit-code'), { force: true });
    else await writeFile(join(this.dir, 'exit-code'), String(code));
  }

  /** Makes the next docker call hang forever, or (false) answer again. */
  async dockerHangs(on: boolean): Promise<void> {
    if (on) await writeFile(join(this.dir, 'hang'), '');
    else await rm(join(this.dir, 'hang'), { force: true });
  }

  /** Makes the next docker call freeze the sshd serving it (SIGSTOP), or (false) not. */
  async freezeOnDocker(on: boolean): Promise<void> {
    if (on) await writeFile(join(this.dir, 'freeze'), '');
    else await rm(join(this.dir, 'freeze'), { force: true });
  }

  /** Freezes the listening sshd: connections are accepted by the kernel, and nothing answers. */
  freezeListener(): void {
    if (this.child?.pid !== undefined) process.kill(this.child.pid, 'SIGSTOP');
  }

  /** The sshd processes the fake docker froze (session, its monitor, the listener), if it did. */
  async frozen(): Promise<number[]> {
    const text = await readFile(join(this.dir, 'frozen'), 'utf8').catch(() => '');
    return text
      .split(/\s+/)
      .filter((p) => /^\d+$/.test(p))
      .map(Number);
  }

  /** Undoes every freeze and ends the hanging docker calls; the sshd answers again. */
  async thaw(): Promise<void> {
    const frozen = (await this.frozen()).map(String);
    const hung = (await readFile(join(this.dir, 'hung'), 'utf8').catch(() => '')).split(/\s+/);
    const signal = (pids: string[], sig: NodeJS.Signals): void =>
      pids
        .filter((p) => /^\d+$/.test(p))
        .forEach((p) => {
          try {
            process.kill(Number(p), sig);
          } catch {
            // Gone already.
          }
        });
    signal([String(this.child?.pid ?? ''), ...frozen], 'SIGCONT');
    signal(hung, 'SIGKILL');
    await Promise.all(['frozen', 'hung', 'hang', 'freeze'].map((f) => rm(join(this.dir, f), { force: true })));
  }

  /** Established TCP connections to this sshd from a client (the kernel's view, any process). */
  async clientConnections(): Promise<number> {
    const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((f) => readFile(f, 'utf8').catch(() => '')));
    const port = this.port.toString(16).toUpperCase().padStart(4, '0');
    // Columns: sl, local address, remote address (hex ip:port), state (01 is ESTABLISHED), …
    return tables
      .flatMap((t) => t.split('\n').slice(1))
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[2]?.endsWith(`:${port}`) && cols[3] === '01').length;
  }

  /** Every docker argv received so far, oldest first; clears the log. */
  async dockerCalls(): Promise<string[][]> {
    const text = await readFile(join(this.dir, 'docker.log'), 'utf8').catch(() => '');
    await rm(join(this.dir, 'docker.log'), { force: true });
    const calls: string[][] = [];
    let current: string[] = [];
    for (const line of text.split('\n')) {
      if (line === '--') {
        calls.push(current);
        current = [];
      } else if (line !== '' || current.length > 0) current.push(line);
    }
    return calls;
  }

  async log(): Promise<string> {
    return readFile(join(this.dir, 'sshd.log'), 'utf8').catch(() => '');
  }

  async stop(): Promise<void> {
    // A stopped sshd would hold the SIGTERM below until continued.
    await this.thaw();
    const child = this.child;
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
