import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  type GetCommandInvocationCommandOutput,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { ActivityFailedError } from '../../errors';
import type { Clock } from '../../faults/types';
import type { HostCommandResult } from '../../faults/ports';
import { commandLine } from '../../faults/command-words';

/** How commands are run and waited for; tests shorten the waits. */
export interface SsmCommandSettings {
  /** Milliseconds between GetCommandInvocation polls. */
  readonly pollMs: number;
  /** Milliseconds a command may take, delivery included, before it is cancelled and the activity fails. */
  readonly commandTimeoutMs: number;
  readonly clock: Clock;
}

/** Statuses after which the invocation will not change any more. */
const FINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

/**
 * Runs one command line on the instance with AWS-RunShellScript and waits for its result. The line
 * is built from words, each single-quoted (`commandLine`), exactly as the SSH adapter sends it, so
 * the host's shell interprets none of them. An abort stops the polling and cancels the command.
 */
export async function runOverSsm(
  ssm: SSMClient,
  instanceId: string,
  words: readonly string[],
  settings: SsmCommandSettings,
  signal: AbortSignal,
): Promise<HostCommandResult> {
  const command = commandLine(words);
  // Nothing is sent once the run is stopping: a command sent now would outlive the run's rollbacks.
  if (signal.aborted) throw signal.reason;
  const seconds = Math.max(1, Math.ceil(settings.commandTimeoutMs / 1000));
  const sent = await ssm.send(
    new SendCommandCommand({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: [instanceId],
      Parameters: { commands: [command], executionTimeout: [String(seconds)] },
      Comment: 'chaos host command',
    }),
    { abortSignal: signal },
  );
  const commandId = sent.Command?.CommandId;
  if (commandId === undefined) throw new ActivityFailedError(`SSM SendCommand to ${instanceId} answered no command id for "${command}"`);
  const cancel = (): void => {
    // Best effort, not awaited: the activity is already ending, and a failed cancel must not hide why.
    void Promise.resolve()
      .then(() => ssm.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: [instanceId] })))
      .catch(() => undefined);
  };
  const deadline = settings.clock.now() + settings.commandTimeoutMs;
  for (;;) {
    if (signal.aborted) {
      cancel();
      throw signal.reason;
    }
    let invocation: GetCommandInvocationCommandOutput | undefined;
    try {
      invocation = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }), {
        abortSignal: signal,
      });
    } catch (error) {
      if (signal.aborted) {
        cancel();
        throw signal.reason;
      }
      // Right after SendCommand the invocation may not exist yet: it is pending.
      if (errorName(error) !== 'InvocationDoesNotExist') throw error;
    }
    const status = invocation?.Status ?? 'Pending';
    if (invocation !== undefined && FINAL.has(status)) return resultOf(command, status, invocation);
    if (settings.clock.now() >= deadline) {
      cancel();
      throw new ActivityFailedError(
        `SSM: "${command}" on ${instanceId} gave no result within ${settings.commandTimeoutMs} ms (last ${status})`,
      );
    }
    try {
      await settings.clock.sleep(settings.pollMs, signal);
    } catch (error) {
      cancel();
      throw error;
    }
  }
}

function resultOf(command: string, status: string, invocation: GetCommandInvocationCommandOutput): HostCommandResult {
  const code = invocation.ResponseCode;
  const stderr = invocation.StandardErrorContent ?? '';
  // A command timed out or cancelled on the instance may have written nothing: say why instead.
  const why =
    status === 'Success' || stderr !== ''
      ? stderr
      : `SSM command ${status}${invocation.StatusDetails ? ` (${invocation.StatusDetails})` : ''}`;
  return {
    command,
    // A failure never reads as exit 0, whatever ResponseCode says (-1: the command did not finish).
    code: status === 'Success' ? (code ?? 0) : code !== undefined && code > 0 ? code : null,
    stdout: invocation.StandardOutputContent ?? '',
    stderr: why,
  };
}
