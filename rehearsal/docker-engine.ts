import { spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RuntimeProcess, RuntimeRestart } from '../contract/runtime-restart';
import { run, runCommand } from './command';
import { PrerequisiteError, StepFailedError } from './errors';
import { mountsUnder } from './mounts';
import { isRunning, ownProcess, POLL_MS, sleep, stopProcess } from './processes';
import { engineFiles, rehearsalFiles, type RehearsalSettings } from './settings';
import { findTool, TOOLS } from './tools';

/** The Docker engine the rehearsal talks to. */
export interface Engine {
  /** `DOCKER_HOST` for every docker command (and for remote `docker` over SSH). */
  readonly host: string;
  /** The rehearsal started this dockerd itself: `down` stops it. */
  readonly own: boolean;
  /** Server version, for the progress line. */
  readonly version: string;
}

/** The environment every docker command runs with. */
export function dockerEnv(engine: Pick<Engine, 'host'>): Record<string, string> {
  return { DOCKER_HOST: engine.host };
}

const DEFAULT_HOST = 'unix:///var/run/docker.sock';
/** A dockerd with a warm data root answers in ~1 s here; a cold one (first start) in ~2 s. */
const START_TIMEOUT_MS = 60_000;

/** The engine's server version when one answers at `host`, else undefined. */
export async function engineVersion(host: string): Promise<string | undefined> {
  const result = await runCommand('docker', ['version', '--format', '{{.Server.Version}}'], {
    env: { DOCKER_HOST: host },
    timeoutMs: 15_000,
  });
  return result.code === 0 && result.stdout.trim() !== '' ? result.stdout.trim() : undefined;
}

/** `unix://<socket>` of the dockerd the rehearsal starts. */
export function ownEngineHost(settings: Pick<RehearsalSettings, 'stateDir'>): string {
  return `unix://${engineFiles(settings).socket}`;
}

/** The pid of the dockerd the rehearsal started, when it runs. */
export function ownEnginePid(settings: Pick<RehearsalSettings, 'stateDir'>): number | undefined {
  const files = engineFiles(settings);
  // Its data root is on its command line and nobody else's.
  return ownProcess(files.pidFile, files.dataRoot);
}

/** Why no engine could be had, and the two ways to get one. */
function noEngineMessage(why: string): string {
  return [
    `No Docker engine answers at ${DEFAULT_HOST} (and DOCKER_HOST is not set), and ${why}.`,
    'Get one, either way:',
    '  - install Docker: apt-get install -y --no-install-recommends docker.io',
    '    then run as root (the rehearsal starts a dockerd of its own), or start the system one (sudo systemctl start docker);',
    '  - or point DOCKER_HOST at an engine that answers, e.g. DOCKER_HOST=unix:///run/user/1000/docker.sock',
  ].join('\n');
}

/**
 * The engine to use, in this order: the one `DOCKER_HOST` names (it must answer: the user chose
 * it); the rehearsal's own dockerd when it runs already; the default socket; else, as root, a
 * dockerd started here. Anything else is a {@link PrerequisiteError} saying how to get an engine.
 */
export async function ensureEngine(settings: RehearsalSettings): Promise<Engine & { readonly started: boolean }> {
  const ownHost = ownEngineHost(settings);
  if (settings.dockerHostFromEnv !== undefined) {
    const version = await engineVersion(settings.dockerHostFromEnv);
    if (version === undefined) {
      throw new PrerequisiteError(
        `DOCKER_HOST=${settings.dockerHostFromEnv} does not answer (\`docker version\` fails). Start that engine or unset DOCKER_HOST.`,
      );
    }
    // DOCKER_HOST may well name our own engine (copied from .rehearsal/env).
    const own = settings.dockerHostFromEnv === ownHost && ownEnginePid(settings) !== undefined;
    return { host: settings.dockerHostFromEnv, own, version, started: false };
  }
  if (ownEnginePid(settings) !== undefined) {
    const version = await engineVersion(ownHost);
    if (version !== undefined) return { host: ownHost, own: true, version, started: false };
  }
  const systemVersion = await engineVersion(DEFAULT_HOST);
  if (systemVersion !== undefined) return { host: DEFAULT_HOST, own: false, version: systemVersion, started: false };
  if (!settings.isRoot) throw new PrerequisiteError(noEngineMessage('only root can start one for the rehearsal'));
  const dockerd = findTool(TOOLS.dockerd.command);
  if (dockerd === undefined) {
    throw new PrerequisiteError(noEngineMessage('dockerd, to start one, is not installed'));
  }
  const version = await startOwnEngine(settings, dockerd);
  return { host: ownHost, own: true, version, started: true };
}

async function startOwnEngine(settings: RehearsalSettings, dockerd: string): Promise<string> {
  const files = engineFiles(settings);
  mkdirSync(settings.stateDir, { recursive: true, mode: 0o700 });
  mkdirSync(files.dataRoot, { recursive: true, mode: 0o700 });
  // An empty config file of our own: whatever /etc/docker/daemon.json says (hosts, a data root)
  // belongs to the machine's engine, not to this one.
  const configFile = `${settings.stateDir}/daemon.json`;
  writeFileSync(configFile, '{}\n');
  // One log per start: a failed start is explained by its tail.
  const log = openSync(files.logFile, 'w');
  const child = spawn(
    dockerd,
    [
      '--config-file',
      configFile,
      // overlay2 works on this kernel; vfs works too but is ~2x slower and copies every layer.
      '--storage-driver',
      'overlay2',
      '--data-root',
      files.dataRoot,
      '--exec-root',
      files.execRoot,
      '--host',
      ownEngineHost(settings),
      '--pidfile',
      files.pidFile,
    ],
    {
      detached: true,
      stdio: ['ignore', log, log],
      // Swarm otherwise asks the registry for the image at every task start, and Docker Hub is
      // out of reach here: a restarted task would wait for that to time out.
      env: { ...process.env, DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: '1' },
    },
  );
  closeSync(log);
  child.unref();
  const pid = child.pid;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (pid === undefined || !isRunning(pid)) break;
    const version = await engineVersion(ownEngineHost(settings));
    if (version !== undefined) return version;
    await sleep(POLL_MS * 2);
  }
  const tail = readFileSync(files.logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
  throw new StepFailedError(`dockerd did not answer within ${START_TIMEOUT_MS / 1000}s (log ${files.logFile}):\n${tail}`);
}

/**
 * Stops the dockerd the rehearsal started, if it runs, and unmounts what it leaves mounted under
 * its exec root (it bind-mounts the host's network namespace at netns/default and never unmounts
 * it). The data root stays.
 */
export async function stopOwnEngine(settings: RehearsalSettings): Promise<'stopped' | 'not-running'> {
  const pid = ownEnginePid(settings);
  // dockerd stops its containers (their stop timeouts, at most 15 s here) and containerd first.
  if (pid !== undefined) await stopProcess(pid, 45_000);
  const files = engineFiles(settings);
  for (const mountPoint of [...mountsUnder(files.execRoot)].reverse()) await run('umount', [mountPoint]);
  // dockerd also bind-mounts its data root on itself (mount propagation) and leaves it when it stops.
  if (pid !== undefined)
    for (const mountPoint of [...mountsUnder(files.dataRoot)].reverse()) await runCommand('umount', ['-l', mountPoint]);
  return pid === undefined ? 'not-running' : 'stopped';
}

/** When `pid` started, by the kernel's count of clock ticks since boot (/proc/<pid>/stat, /proc/stat). */
function processStartedAt(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after the parenthesised command name.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const bootLine = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (bootLine?.[1] === undefined || !Number.isFinite(ticks)) return null;
    // USER_HZ is 100 on every Linux the rehearsal runs on (sysconf(_SC_CLK_TCK)).
    return new Date(Number(bootLine[1]) * 1000 + ticks * 10).toISOString();
  } catch {
    return null;
  }
}

function runtimeProcess(pid: number | undefined): RuntimeProcess {
  return pid === undefined ? { pid: 0, startedAt: null } : { pid, startedAt: processStartedAt(pid) };
}

/**
 * Restarts the dockerd the rehearsal started, as systemd restarts docker.service on the instance:
 * a graceful stop (its containers get their stop timeouts), then a start with the same settings.
 * Live restore stays off (swarm mode refuses it), so the containers stop with the daemon; the
 * swarm comes back with the daemon, sees its tasks' containers gone and starts new tasks itself.
 */
export async function restartOwnEngine(settings: RehearsalSettings): Promise<RuntimeRestart> {
  const pid = ownEnginePid(settings);
  if (pid === undefined)
    throw new PrerequisiteError(
      "the rehearsal's own dockerd does not run: there is nothing of the rehearsal's to restart (rehearsal up starts it)",
    );
  const dockerd = findTool(TOOLS.dockerd.command);
  if (dockerd === undefined) throw new PrerequisiteError('dockerd is not installed: it cannot be started again');
  const before = runtimeProcess(pid);
  await stopOwnEngine(settings);
  await startOwnEngine(settings, dockerd);
  return { before, after: runtimeProcess(ownEnginePid(settings)) };
}

/**
 * Writes `.rehearsal/restart-engine`, the command the outputs give the chaos fault
 * host:restart-runtime: over SSH the session has neither this process's PATH nor its
 * REHEARSAL_STATE_DIR, so the script carries both. Returns its path.
 */
export function writeRestartScript(settings: RehearsalSettings): string {
  const file = rehearsalFiles(settings).restartEngine;
  const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;
  const script = [
    '#!/bin/sh',
    "# Written by `rehearsal up`: restarts the rehearsal's own dockerd, printing its pid and start time",
    '# before and after (contract/runtime-restart.ts). The chaos fault host:restart-runtime runs it over SSH.',
    `export PATH=${quote(process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin')}`,
    `export REHEARSAL_STATE_DIR=${quote(settings.stateDir)}`,
    `cd ${quote(settings.repoRoot)} || exit 2`,
    `exec ${quote(process.execPath)} --import tsx ${quote(path.join(settings.repoRoot, 'rehearsal', 'rehearsal.ts'))} restart-engine`,
    '',
  ].join('\n');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return file;
}
