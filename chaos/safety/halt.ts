import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChaosError } from '../errors';
import { runtimeDir } from './runtime-dir';

/**
 * The emergency stop: `chaos halt` leaves a halt file that every run on this machine watches; a
 * run that sees it aborts its method, runs its rollbacks and ends `aborted`. New runs refuse to
 * start until `chaos halt --release` removes it.
 */

/** Checked twice a second: a halt reaches every run within about half a second. */
export const HALT_POLL_MS = 500;

/** A run stopped by `chaos halt`. */
export class HaltedError extends ChaosError {
  constructor(readonly why: string) {
    super(`halted: ${why}`);
  }
}

export function haltFile(env: Readonly<Record<string, string | undefined>>): string {
  return join(runtimeDir(env), 'halt');
}

/** Why runs are halted, or null. */
export function haltReason(env: Readonly<Record<string, string | undefined>>): string | null {
  const file = haltFile(env);
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8').trim();
  return text === '' ? 'chaos halt' : text;
}

export function halt(env: Readonly<Record<string, string | undefined>>, why: string): void {
  writeFileSync(haltFile(env), `${why}\n`);
}

export function releaseHalt(env: Readonly<Record<string, string | undefined>>): boolean {
  const file = haltFile(env);
  const was = existsSync(file);
  rmSync(file, { force: true });
  return was;
}

/** Aborts `controller` with a `HaltedError` as soon as the halt file appears; returns the stop function. */
export function watchHalt(env: Readonly<Record<string, string | undefined>>, controller: AbortController): () => void {
  const timer = setInterval(() => {
    const why = haltReason(env);
    if (why !== null && !controller.signal.aborted) controller.abort(new HaltedError(why));
  }, HALT_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
