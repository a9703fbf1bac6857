import type { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import { ActivityFailedError, systemErrorCode } from '../../errors';
import { hostKeyName, parseKnownHosts, verifyFingerprint, verifyHostKey, type HostKeyVerdict } from './known-hosts';
import { commandLine } from '../../faults/command-words';
import type { HostSession } from '../../faults/ports';
import type { SshSettings } from './ssh-settings';

/** What an abort needs of a channel (ssh2's `ClientChannel`, a Duplex). */
interface Destroyable {
  destroy(): void;
}

/** An authenticated connection whose host key has been verified. */
export interface SshSession extends HostSession {
  close(): void;
}

async function readRequired(file: string, what: string, hint: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = systemErrorCode(error) ?? 'unreadable';
    throw new ActivityFailedError(`${what} ${file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}: ${hint}`);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Connects as the outputs' SSH user with the resolved key. The host key is checked in ssh2's
 * `hostVerifier`, before authentication: an unknown or changed key ends the handshake, so nothing
 * is ever sent to a host that is not the one known.
 */
export async function openSshSession(settings: SshSettings, signal: AbortSignal): Promise<SshSession> {
  const privateKey = await readRequired(
    settings.privateKeyFile,
    'private key',
    'pass privateKey, set CHAOS_SSH_KEY, or bring the rehearsal up',
  );
  let check: (offered: Buffer) => HostKeyVerdict;
  if (settings.hostKey.kind === 'known-hosts') {
    const file = settings.hostKey.file;
    const entries = parseKnownHosts(
      await readRequired(file, 'known_hosts', 'pass knownHosts or hostKeyFingerprint, or set CHAOS_SSH_KNOWN_HOSTS'),
    );
    check = (offered) => verifyHostKey(entries, settings.host, settings.port, offered, file);
  } else {
    const pinned = settings.hostKey.fingerprint;
    check = (offered) => verifyFingerprint(pinned, settings.host, settings.port, offered);
  }
  if (signal.aborted) throw signal.reason;

  let refused: string | null = null;
  let lost: string | null = null;
  const ssh = new NodeSSH();
  // Our own TCP socket, handed to ssh2: whatever state the handshake or a command is in (a frozen
  // sshd answers nothing), destroying it ends the connection, and ssh2 then closes every channel.
  const socket = new Socket();
  const channels = new Set<Destroyable>();
  const onAbort = (): void => {
    for (const channel of channels) channel.destroy();
    socket.destroy();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const target = `${settings.user}@${hostKeyName(settings.host, settings.port)}`;
  try {
    socket.connect(settings.port, settings.host);
    await ssh.connect({
      sock: socket,
      username: settings.user,
      privateKey,
      readyTimeout: settings.connectTimeoutMs,
      // ssh2 hands over the raw key blob when no hostHash is set.
      hostVerifier: (offered: Buffer): boolean => {
        const verdict = check(offered);
        if (!verdict.ok) refused = verdict.reason;
        return verdict.ok;
      },
    });
  } catch (error) {
    signal.removeEventListener('abort', onAbort);
    socket.destroy();
    if (signal.aborted) throw signal.reason;
    if (refused !== null) throw new ActivityFailedError(`SSH to ${target} refused: ${refused}`);
    throw new ActivityFailedError(`SSH to ${target} failed: ${describeError(error)}`);
  }
  // After the handshake nobody else listens: an unheard 'error' (a reset connection) would crash the run.
  const connection: EventEmitter | null = ssh.connection;
  connection?.on('error', (error: Error) => void (lost ??= error.message));

  return {
    async exec(words) {
      const command = commandLine(words);
      let open: Destroyable | null = null;
      let result;
      try {
        result = await ssh.execCommand(command, {
          onChannel: (channel: Destroyable) => {
            open = channel;
            channels.add(channel);
          },
        });
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw new ActivityFailedError(`SSH to ${target}: "${command}" failed: ${describeError(error)}`);
      } finally {
        if (open !== null) channels.delete(open);
      }
      if (signal.aborted) throw signal.reason;
      // The channel closes without an exit status when the connection goes: that is no answer.
      if (result.code === null && result.signal === null && lost !== null)
        throw new ActivityFailedError(`SSH to ${target}: "${command}" failed: the connection was lost (${lost})`);
      return { command, code: result.code, stdout: result.stdout, stderr: result.stderr };
    },
    async forwardToLocalPort(port) {
      try {
        const stream: Duplex & Destroyable = await ssh.forwardOut('127.0.0.1', 0, '127.0.0.1', port);
        channels.add(stream);
        stream.once('close', () => channels.delete(stream));
        return stream;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw new ActivityFailedError(`SSH to ${target}: cannot reach 127.0.0.1:${port} on the host: ${describeError(error)}`);
      }
    },
    close() {
      signal.removeEventListener('abort', onAbort);
      // A polite disconnect, then the socket goes as soon as it is flushed: a host that froze after
      // the work was done cannot keep the connection (or the engine) waiting for its answer.
      ssh.dispose();
      socket.destroySoon();
    },
  };
}

/** Opens a session, runs `use`, and always closes it. */
export async function withSshSession<T>(settings: SshSettings, signal: AbortSignal, use: (session: SshSession) => Promise<T>): Promise<T> {
  const session = await openSshSession(settings, signal);
  try {
    return await use(session);
  } finally {
    session.close();
  }
}
