import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ActivityFailedError } from '../../errors';
import type { JsonObject } from '../../../contract/json';
import type { ProcessProvider } from '../../model/types';

const OUTPUT_LIMIT = 1024 * 1024;
/** Time a process gets between SIGTERM and SIGKILL when it must stop. */
const KILL_GRACE_MS = 2000;

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/**
 * Finds the executable as chaostoolkit does (`shutil.which`): a name is looked up on PATH, a path
 * is taken relative to the working directory. Null when there is none that may be executed.
 */
export async function resolveExecutable(path: string, cwd: string, pathEnv: string | undefined): Promise<string | null> {
  const expanded = expandHome(path);
  const candidates = expanded.includes('/')
    ? [isAbsolute(expanded) ? expanded : resolve(cwd, expanded)]
    : (pathEnv ?? '')
        .split(delimiter)
        .filter((dir) => dir.length > 0)
        .map((dir) => join(dir, expanded));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here (or not executable): try the next directory on PATH.
    }
  }
  return null;
}

export interface ProcessRunOptions {
  readonly cwd: string;
  readonly signal: AbortSignal;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Written to the process's stdin (tolerance probes receive the value this way). */
  readonly stdin?: string;
}

function collect(limit: number): { push(chunk: Buffer): void; text(): string } {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push(chunk) {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

/**
 * Runs the executable with its arguments, never through a shell. Resolves with chaostoolkit's
 * `{status, stdout, stderr}` whatever the exit status (the caller judges it); rejects with
 * `ActivityFailedError` when it cannot start, times out, or is stopped by the signal.
 */
export function runProcess(provider: ProcessProvider, options: ProcessRunOptions): Promise<JsonObject> {
  return new Promise<JsonObject>((resolvePromise, reject) => {
    const child = spawn(expandHome(provider.path), [...provider.arguments], {
      cwd: options.cwd,
      env: { ...options.env },
      shell: false,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout = collect(OUTPUT_LIMIT);
    const stderr = collect(OUTPUT_LIMIT);
    let stopReason: string | null = null;
    let killTimer: NodeJS.Timeout | null = null;
    const stop = (reason: string): void => {
      if (stopReason !== null) return;
      stopReason = reason;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = (): void => stop('stopped: the run was interrupted or timed out');
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();
    const timeout =
      provider.timeout === undefined
        ? null
        : setTimeout(() => stop(`took longer than its ${provider.timeout}s timeout`), provider.timeout * 1000);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // A process that does not read stdin closes it early; that is not an error of the activity.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
    const cleanup = (): void => {
      options.signal.removeEventListener('abort', onAbort);
      if (timeout) clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      reject(new ActivityFailedError(`cannot run ${provider.path}: ${error.code ?? error.message}`));
    });
    child.on('close', (code, signal) => {
      cleanup();
      if (stopReason !== null) {
        reject(new ActivityFailedError(`process ${provider.path} ${stopReason}`));
        return;
      }
      resolvePromise({ status: code ?? (signal ? 128 : 1), stdout: stdout.text(), stderr: stderr.text() });
    });
  });
}
