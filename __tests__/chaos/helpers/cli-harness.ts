import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../../../chaos/cli';
import { quietInterrupts, type CliIo } from '../../../chaos/io';

export const REPO = join(__dirname, '..', '..', '..');
export const BIN = join(REPO, 'chaos', 'bin.ts');
/** What `node --import tsx` loads, as a URL so the child may run in any directory. */
const TSX_LOADER = pathToFileURL(join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI's main in-process with captured output. */
export async function runCli(
  argv: readonly string[],
  cwd: string,
  env: Record<string, string | undefined> = process.env,
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd,
    env,
    interrupts: quietInterrupts,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Starts the real CLI as a child process (node --import tsx chaos/bin.ts …). */
export function spawnCli(argv: readonly string[], cwd: string, env: Record<string, string | undefined> = process.env) {
  return spawn(process.execPath, ['--import', TSX_LOADER, BIN, ...argv], { cwd, env: { ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the real CLI to completion. */
export function execCli(argv: readonly string[], cwd: string, env?: Record<string, string | undefined>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(argv, cwd, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
