import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './rehearsal-cli';

/** The chaos CLI, run exactly as `npm run chaos` runs it (node itself, so a signal reaches the CLI and not npm). */
const CLI = path.join(REPO_ROOT, 'chaos', 'bin.ts');

/** How one `chaos run` ended. */
export interface ChaosRun {
  readonly experiment: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The verdict line. */
  readonly stdout: string;
  /** Progress lines and error messages. */
  readonly stderr: string;
  readonly ms: number;
  readonly journal: string;
}

/** Options of {@link runChaos}. */
export interface RunChaosOptions {
  /** Where the journal goes (`--journal`). */
  readonly journal: string;
  /** Added to this process's environment (experiment configuration such as a marker path). */
  readonly env?: Readonly<Record<string, string>>;
  /** Called with every progress line as it comes, and the child, to act mid-run (send a signal). */
  readonly onProgress?: (line: string, child: ChildProcess) => void;
  /** SIGKILL after this long (a hung run must not hang the suite); default 3 minutes. */
  readonly timeoutMs?: number;
}

/**
 * `chaos run <experiment> --yes --journal <file>` against the rehearsal's outputs (the CLI finds
 * `.rehearsal/outputs.json` itself, as a user's run does). Resolves however the run ended.
 */
export function runChaos(experiment: string, options: RunChaosOptions): Promise<ChaosRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'run', experiment, '--yes', '--journal', options.journal], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderr += text;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onProgress?.(line, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ experiment, code, signal, stdout, stderr, ms: Date.now() - started, journal: options.journal });
    });
  });
}

/** Fails with the run's own words (the verdict and the last progress lines) when it did not exit with `code`. */
export function expectExit(run: ChaosRun, code: number): void {
  if (run.code === code) return;
  const tail = run.stderr.trimEnd().split('\n').slice(-25).join('\n');
  throw new Error(
    `chaos run ${run.experiment}: exit ${run.code ?? run.signal}, expected ${code}\n${run.stdout.trim()}\n--- last progress lines ---\n${tail}`,
  );
}
