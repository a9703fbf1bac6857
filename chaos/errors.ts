/**
 * The chaos module's error vocabulary. Each error carries one line that names the file, the place in
 * it and what was expected; only the CLI entry turns these into exit codes.
 */

/** Collapses a message to one line: the CLI prints exactly one line per error. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function located(file: string, path: string, expected: string): string {
  return oneLine([file, path, expected].filter((part) => part.length > 0).join(': '));
}

/** The `code` of a Node system error (ENOENT…), read without trusting `instanceof` across realms. */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Base class, so the CLI can tell the vocabulary from unexpected failures. */
export abstract class ChaosError extends Error {
  protected constructor(message: string) {
    super(oneLine(message));
    this.name = new.target.name;
  }
}

/** An experiment file that cannot be read, parsed or validated. */
export class InvalidExperimentError extends ChaosError {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly expected: string,
  ) {
    super(located(file, path, expected));
  }
}

/** A stack outputs file that is missing, malformed or does not match `PlatformOutputs`. */
export class InvalidOutputsError extends ChaosError {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly expected: string,
  ) {
    super(located(file, path, expected));
  }
}

/** The command line asks for something that cannot be done as asked (missing --yes, bad option). */
export class UsageError extends ChaosError {
  constructor(message: string) {
    super(message);
  }
}

/**
 * An activity did not do what it should: the system under test (or the fault's target) answered
 * badly. Drivers throw this; any other error escaping a driver aborts the run instead.
 */
export class ActivityFailedError extends ChaosError {
  constructor(message: string) {
    super(message);
  }
}

/** The run was interrupted by a signal (SIGINT/SIGTERM); rollbacks still run. */
export class InterruptedError extends ChaosError {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
  }
}

/** Another live run holds the target (its lock, `safety/target-lock.ts`). Exit code 2: nothing was done. */
export class TargetBusyError extends ChaosError {
  constructor(message: string) {
    super(message);
  }
}
