/**
 * The rehearsal's error vocabulary. Only the CLI entry (`rehearsal.ts`) turns these into exit codes
 * and messages: a missing prerequisite is exit 2 (nothing to retry until the machine changes), any
 * other failure exit 1.
 */

/** Base class, so the CLI can tell the vocabulary from unexpected failures. */
export abstract class RehearsalError extends Error {
  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * Something the machine lacks (a tool, a Docker engine, a free port): the message says exactly what
 * to install or change. Exit code 2.
 */
export class PrerequisiteError extends RehearsalError {
  constructor(message: string) {
    super(message);
  }
}

/** A step ran and failed: a command exited non-zero, a service never became healthy. Exit code 1. */
export class StepFailedError extends RehearsalError {
  constructor(message: string) {
    super(message);
  }
}

/** A command exited non-zero (or could not start); carries the tail of what it printed. */
export class CommandFailedError extends RehearsalError {
  constructor(
    readonly command: string,
    readonly exit: string,
    readonly output: string,
  ) {
    super(`\`${command}\` ${exit}${output.length > 0 ? `:\n${output}` : ''}`);
  }
}
