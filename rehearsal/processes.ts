import { readFileSync } from 'node:fs';

/**
 * The daemons the rehearsal starts (dockerd, sshd) are found again by their pid files, and only
 * ever signalled after checking that the pid still belongs to them: pids are reused.
 */

/** Milliseconds to wait between looks at a process or an endpoint. */
export const POLL_MS = 100;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The pid in a pid file, or undefined when the file is missing or holds no pid. */
function readPidFile(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The process's command line (NUL-separated words joined by spaces), or undefined when it is gone. */
function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is a live process. A zombie counts as gone: a daemon whose parent exited is
 * re-parented, and where nothing reaps it the pid lingers after the process has ended.
 */
export function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // Field 3, after the parenthesised command name (which may itself hold spaces or parentheses).
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/**
 * The pid from `pidFile` when that process is running and its command line contains `marker`
 * (a path only our instance has on its command line); undefined otherwise.
 */
export function ownProcess(pidFile: string, marker: string): number | undefined {
  const pid = readPidFile(pidFile);
  if (pid === undefined || !isRunning(pid)) return undefined;
  return commandLine(pid)?.includes(marker) === true ? pid : undefined;
}

/** How {@link stopProcess} ended a process. */
type StopOutcome = 'not-running' | 'terminated' | 'killed';

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(pid: number, graceMs: number): Promise<StopOutcome> {
  if (!isRunning(pid)) return 'not-running';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return 'terminated';
    await sleep(POLL_MS);
  }
  if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  while (isRunning(pid)) await sleep(POLL_MS);
  return 'killed';
}
