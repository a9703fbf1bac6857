import type { Environment } from './model/configuration';
import { InterruptedError } from './errors';

/** Interruption for the duration of a run: SIGINT/SIGTERM abort `signal` (reason `InterruptedError`). */
export interface InterruptSource {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** Everything a command touches outside itself, so tests can run the CLI in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
  readonly env: Environment;
  readonly interrupts: () => InterruptSource;
}

/** A source that never fires (tests, and commands that need no interruption). */
export function quietInterrupts(): InterruptSource {
  return { signal: new AbortController().signal, dispose: () => undefined };
}

/**
 * Writes that outlive their reader: a closed pipe (`chaos run … | head`) or a vanished terminal
 * makes the stream emit an error, which would kill the process mid-fault, before its rollbacks.
 * Here the first error closes the stream for this run and later writes are dropped: the journal,
 * not the terminal, is the record of a run, and the exit code is unchanged.
 */
export function survivingWrites(stream: NodeJS.WriteStream): (text: string) => void {
  let open = true;
  stream.on('error', () => {
    open = false;
  });
  return (text) => {
    if (!open || stream.destroyed || stream.writableEnded) return;
    try {
      stream.write(text);
    } catch {
      // A synchronous write to a closed pipe or file descriptor: the same as the error event.
      open = false;
    }
  };
}

/**
 * The real process: the first SIGINT/SIGTERM interrupts the run (rollbacks still run, the journal
 * is still written); later ones are reported and otherwise ignored until the rollbacks end.
 */
export function processIo(): CliIo {
  const stdout = survivingWrites(process.stdout);
  const stderr = survivingWrites(process.stderr);
  return {
    stdout,
    stderr,
    cwd: process.cwd(),
    env: process.env,
    interrupts: () => {
      const controller = new AbortController();
      const onSignal = (signal: NodeJS.Signals): void => {
        if (!controller.signal.aborted) controller.abort(new InterruptedError(signal));
        else stderr(`chaos: ${signal} again: rollbacks are running and will finish first\n`);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      return {
        signal: controller.signal,
        dispose: () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        },
      };
    },
  };
}
