import { access, constants } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { runChild } from '../../child-process';
import { ActivityFailedError, systemErrorCode } from '../../errors';
import type { JsonObject } from '../../../contract/json';
import type { ProcessProvider } from '../../model/types';

const OUTPUT_LIMIT = 1024 * 1024;

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
  /** Aborts on interruption or when the activity's timeout passes: the process group is stopped. */
  readonly signal: AbortSignal;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Written to the process's stdin (tolerance probes receive the value this way). */
  readonly stdin?: string;
}

/**
 * Runs the executable with its arguments, never through a shell, in its own process group.
 * Resolves with chaostoolkit's `{status, stdout, stderr}` whatever the exit status (the caller
 * judges it); rejects with `ActivityFailedError` when it cannot start or is stopped by the signal
 * (the activity's timeout is the engine's: it aborts the signal).
 */
export async function runProcess(provider: ProcessProvider, options: ProcessRunOptions): Promise<JsonObject> {
  let result;
  try {
    result = await runChild(expandHome(provider.path), provider.arguments, {
      cwd: options.cwd,
      env: options.env,
      signal: options.signal,
      maxOutputBytes: OUTPUT_LIMIT,
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    });
  } catch (error) {
    const code = systemErrorCode(error) ?? (error instanceof Error ? error.message : String(error));
    throw new ActivityFailedError(`cannot run ${provider.path}: ${code}`);
  }
  if (result.stopped) throw new ActivityFailedError(`process ${provider.path} stopped: the run was interrupted or timed out`);
  return { status: result.code ?? (result.exitSignal ? 128 : 1), stdout: result.stdout, stderr: result.stderr };
}
