import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { CommandFailedError } from './errors';

/** How a command ended and what it printed. */
export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Options of {@link runCommand} and {@link run}. */
interface RunOptions {
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Written to the command's stdin. */
  readonly input?: string;
  /** Everything the command prints is appended here too (long steps: builds, debootstrap). */
  readonly logFile?: string;
  /** SIGKILL after this long; default 10 minutes (a cold image build on two cores takes ~1). */
  readonly timeoutMs?: number;
}

/** Lines of output an error message quotes: enough for a compiler or apt error, not a whole log. */
const TAIL_LINES = 25;

/** Shell-like rendering of a command line, for messages only. */
function describeCommand(command: string, args: readonly string[]): string {
  return [command, ...args].map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The last lines of a command's output, for an error message. */
function outputTail(result: Pick<CommandResult, 'stdout' | 'stderr'>, lines = TAIL_LINES): string {
  const text = [result.stdout, result.stderr]
    .filter((s) => s.trim().length > 0)
    .join('\n')
    .trimEnd();
  return text.split('\n').slice(-lines).join('\n');
}

/**
 * Runs a command to completion. Resolves whatever the exit status; rejects only when the command
 * cannot be started at all (not installed), with a {@link CommandFailedError}.
 */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const log = (chunk: Buffer): void => {
      if (options.logFile !== undefined) appendFileSync(options.logFile, chunk);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      log(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      log(chunk);
    });
    if (options.input === undefined) {
      child.stdin.destroy();
    } else {
      // EPIPE when the command exits without reading all of it: its exit status tells why.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new CommandFailedError(describeCommand(command, args), `could not start (${error.message})`, ''));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs a command and returns its stdout, trimmed; a non-zero exit throws with the output's tail. */
export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    const exit = result.signal !== null ? `was killed by ${result.signal}` : `exited ${result.code}`;
    const where = options.logFile !== undefined ? `\n(full output: ${options.logFile})` : '';
    throw new CommandFailedError(describeCommand(command, args), exit, outputTail(result) + where);
  }
  return result.stdout.trim();
}
