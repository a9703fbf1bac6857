import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { findTool, TOOLS, type Tool } from '../../../rehearsal/tools';

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The rehearsal's command line, run exactly as `npm run rehearsal:up` runs it. */
const CLI = path.join(REPO_ROOT, 'rehearsal', 'rehearsal.ts');

/** How a rehearsal command ended. */
export interface CliResult {
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
}

/**
 * Runs `rehearsal <args>` and streams its progress lines to the terminal as they come (a cold
 * `up` takes minutes: its lines show where the time goes). `env` is added to this process's
 * environment (the ACME mode's `REHEARSAL_DOMAIN`, ...).
 */
export function runRehearsal(args: readonly string[], env: Readonly<Record<string, string>> = {}, timeoutMs = 840_000): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const echo = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      process.stdout.write(chunk.toString('utf8').replace(/^(?=.)/gm, `  rehearsal ${args[0] ?? ''} | `));
    };
    child.stdout.on('data', echo);
    child.stderr.on('data', echo);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

function engineAnswers(): boolean {
  const result = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 15_000, encoding: 'utf8' });
  return result.status === 0;
}

/**
 * What this machine lacks to run the rehearsal, or an empty list. Always the docker CLI and
 * OpenSSH; without an engine that answers, also root and dockerd (the rehearsal starts its own)
 * and debootstrap (for the stand-in base images, Docker Hub being out of reach).
 */
export function missingForRehearsal(): readonly string[] {
  const needed: Tool[] = [TOOLS.docker, TOOLS.sshd, TOOLS.ssh, TOOLS.sshKeygen];
  const isRoot = process.getuid?.() === 0;
  if (findTool('docker') === undefined || !engineAnswers()) needed.push(TOOLS.dockerd, TOOLS.debootstrap);
  const missing = needed
    .filter((tool) => findTool(tool.command) === undefined)
    .map((t) => `${t.command} (apt-get install ${t.aptPackage})`);
  if (needed.includes(TOOLS.dockerd) && !isRoot) missing.push('a Docker engine, or root to start one');
  return missing;
}
