import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Child processes that really stop: the process provider's executables and the docker CLI. Each
 * child leads its own process group, so stopping it stops what it started too (a shell's `sleep`,
 * a plugin), and an abort is answered by SIGTERM to the group, then SIGKILL after a grace period.
 */

/** Time a process group gets between SIGTERM and SIGKILL when it must stop. */
export const KILL_GRACE_MS = 2000;

export interface ChildRunOptions {
  readonly cwd?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
  /** Written to stdin, which is then closed; without it stdin is closed at once. */
  readonly stdin?: string;
  /** Bytes kept of stdout and of stderr each; the rest is counted, not kept. */
  readonly maxOutputBytes: number;
}

export interface ChildRunResult {
  /** Exit status; null when a signal ended it. */
  readonly code: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether either stream printed more than `maxOutputBytes`. */
  readonly truncated: boolean;
  /** Whether `signal` aborted it (then the group was sent SIGTERM, and SIGKILL if it lingered). */
  readonly stopped: boolean;
}

function collect(limit: number): { push(chunk: Buffer): void; text(): string; readonly over: boolean } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push(chunk) {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
    get over() {
      return size > limit;
    },
  };
}

/** Sends `signal` to the child's whole process group; the group may already be gone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // ESRCH: every process of the group has exited already.
  }
}

/**
 * Runs `file` with `args`, never through a shell. Resolves once the child has exited (after its
 * output closed, or, once stopped, as soon as it exits: a descendant that left the group must not
 * hold the caller); rejects only when it cannot be started (ENOENT, EACCES).
 */
export function runChild(file: string, args: readonly string[], options: ChildRunOptions): Promise<ChildRunResult> {
  return new Promise<ChildRunResult>((resolve, reject) => {
    if (options.signal.aborted) {
      resolve({ code: null, exitSignal: null, stdout: '', stderr: '', truncated: false, stopped: true });
      return;
    }
    const child = spawn(file, [...args], {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: { ...options.env },
      shell: false,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout = collect(options.maxOutputBytes);
    const stderr = collect(options.maxOutputBytes);
    let stopped = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let killTimer: NodeJS.Timeout | null = null;
    let settled = false;
    const finish = (): void => {
      if (settled || exited === null) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      // Once stopped, the SIGKILL stays due: a member of the group may ignore SIGTERM after its leader went.
      if (killTimer && !stopped) clearTimeout(killTimer);
      // Whatever still holds the pipes (a descendant that left the group) is not waited for.
      child.stdout.destroy();
      child.stderr.destroy();
      const over = stdout.over || stderr.over;
      resolve({ code: exited.code, exitSignal: exited.signal, stdout: stdout.text(), stderr: stderr.text(), truncated: over, stopped });
    };
    const onAbort = (): void => {
      if (stopped) return;
      stopped = true;
      signalGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), KILL_GRACE_MS);
      // Not a reason to keep the engine alive once everything else is done.
      killTimer.unref();
      // Exited already, with the pipes held open by the group: the signal above closed them, or not.
      if (exited !== null) finish();
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // A process that does not read stdin closes it early; that is not an error of the run.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
    child.on('error', (error) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      if (stopped) finish();
    });
    child.on('close', finish);
  });
}
