import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

/** How one chaos CLI run ended and what it printed. */
export interface ChaosCliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The verdict line (`run`), or what `report` says. */
  readonly stdout: string;
  /** Progress lines and error messages. */
  readonly stderr: string;
  /** stdout and stderr interleaved as they came, for a message that quotes the whole run. */
  readonly output: string;
  readonly ms: number;
}

/** Options of {@link runChaosCli}. */
export interface ChaosCliOptions {
  /** The repository the CLI is run from: its `chaos/bin.ts`, and the working directory. */
  readonly repoRoot: string;
  /** Added to this process's environment (experiment configuration such as a marker path). */
  readonly env?: Readonly<Record<string, string>>;
  /** Called with every progress line (stderr) as it comes, and the child, to act mid-run (send a signal). */
  readonly onProgress?: (line: string, child: ChildProcess) => void;
  /** Called with the child once it is started and with undefined once it has ended, so that a signal can be passed on. */
  readonly onChild?: (child: ChildProcess | undefined) => void;
  /** SIGKILL after this long (a hung run must not hang its caller); without, the run may take as long as it takes. */
  readonly timeoutMs?: number;
}

/**
 * `chaos <args>` run exactly as `npm run chaos -- <args>` runs it, but with node itself as the
 * child, so that a signal reaches the CLI and not npm. Resolves however the run ended; rejects
 * only when node cannot be started.
 */
export function runChaosCli(args: readonly string[], options: ChaosCliOptions): Promise<ChaosCliRun> {
  const started = Date.now();
  const cli = path.join(options.repoRoot, 'chaos', 'bin.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      cwd: options.repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    options.onChild?.(child);
    let stdout = '';
    let stderr = '';
    let output = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stdout += text;
      output += text;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderr += text;
      output += text;
      // A chunk may end inside a line: the rest comes with the next chunk.
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onProgress?.(line, child);
    });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.onChild?.(undefined);
      resolve({ code, signal, stdout, stderr, output, ms: Date.now() - started });
    });
  });
}
