import type { HostAccess, HostCommandResult, HostCommands, Ports } from '../../../chaos/faults/ports';
import type { DriverContext } from '../../../chaos/faults/types';
import { commandLine } from '../../../chaos/faults/command-words';

/** The short id the recording host's `docker ps` lists (12 hex digits, as `docker ps` prints). */
export const HOST_CONTAINER = 'bc6b942c569c';

/**
 * A host port that connects nowhere: every command a host fault would send over SSH is recorded
 * as words, and answered as a host with one running container of the service would answer.
 */
export function recordingHost(host: string): HostAccess & { readonly commands: string[][] } {
  const commands: string[][] = [];
  const answer = (words: readonly string[]): string => {
    if (words[1] === 'ps') return `${HOST_CONTAINER} platform-container\n`;
    if (words[1] === 'inspect') return '2024-05-01T10:00:00.123456789Z\n';
    return '';
  };
  const session: HostCommands = {
    async exec(words): Promise<HostCommandResult> {
      commands.push([...words]);
      return { command: commandLine(words), code: 0, stdout: answer(words), stderr: '' };
    },
  };
  return {
    name: 'ssh',
    where: `recorded@${host}`,
    host,
    commands,
    withSession: (_options, _signal, fn) => fn(session),
    httpGet: () => Promise.reject(new Error('the recording host answers no HTTP')),
  };
}

/** The context with its host port replaced by `host`; every other port as bound. */
export function withHost<C extends DriverContext>(ctx: C, host: HostAccess): C {
  const ports: Ports = {
    get orchestrator() {
      return ctx.use('orchestrator');
    },
    host,
    get aws() {
      return ctx.use('aws');
    },
    get nodes() {
      return ctx.use('nodes');
    },
  };
  return { ...ctx, use: (port) => ports[port] };
}
