import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { findTool } from './find-tool';
import { packagesFor, type Purpose, type SystemPackage } from './system-packages';

/**
 * Installs what `packagesFor(purpose)` lists and the machine lacks, when it can (root, apt-get);
 * otherwise says exactly what to run. Never half-done: it checks again after installing and names
 * whatever is still missing.
 */

/** The machine cannot be set up from here: the message names the command that would. Exit code 2. */
export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}

export interface SetupEnvironment {
  readonly isRoot: boolean;
  readonly hasAptGet: boolean;
  /** Whether the package is installed (its commands found, its files present). */
  installed(p: SystemPackage): boolean;
  /** Installing nginx must not start it (the tests run their own): Debian's policy-rc.d, while apt runs. */
  withoutServiceStarts<T>(work: () => Promise<T>): Promise<T>;
  /** Runs a command with an argument array; resolves with its exit code, each output line passed to `onLine`. */
  run(command: string, args: readonly string[], onLine: (line: string) => void): Promise<number>;
  readonly log: (line: string) => void;
}

const WHAT: Readonly<Record<Purpose, string>> = { start: '`npm start` (the local rehearsal)', test: '`npm test`' };

/** Installed on this machine: every command found, every file present. */
function installedHere(p: SystemPackage): boolean {
  return p.commands.every((c) => findTool(c) !== undefined) && (p.files ?? []).every((f) => existsSync(f));
}

/** The packages of `purpose` that are not installed. */
export function missingPackages(purpose: Purpose, installed: (p: SystemPackage) => boolean = installedHere): SystemPackage[] {
  return packagesFor(purpose).filter((p) => !installed(p));
}

/** The line a user runs to install `packages` on Debian or Ubuntu. */
export function installLine(packages: readonly SystemPackage[]): string {
  return `apt-get update && apt-get install -y --no-install-recommends ${packages.map((p) => p.name).join(' ')}`;
}

const POLICY_RC = '/usr/sbin/policy-rc.d';

async function aptGet(env: SetupEnvironment, args: readonly string[], what: string): Promise<void> {
  const started = Date.now();
  env.log(`${what} ...`);
  const tail: string[] = [];
  const code = await env.run('apt-get', args, (line) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    // One progress line per package set up; apt's own output goes to the tail for errors.
    const setting = /^Setting up ([^ :]+)/.exec(line);
    if (setting?.[1] !== undefined) env.log(`  set up ${setting[1]}`);
  });
  if (code !== 0) throw new SetupError(`apt-get ${args.join(' ')} exited with ${code}:\n${tail.join('\n')}`);
  env.log(`${what}: done (${((Date.now() - started) / 1000).toFixed(1)}s)`);
}

/** Makes sure every package `purpose` needs is installed. */
export async function ensureSystemPackages(purpose: Purpose, env: SetupEnvironment): Promise<void> {
  const missing = missingPackages(purpose, (p) => env.installed(p));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name).join(', ');
  if (!env.isRoot || !env.hasAptGet) {
    throw new SetupError(
      `${WHAT[purpose]} needs ${names}, not installed here (${missing.map((p) => `${p.name}: ${p.why}`).join('; ')}).\n` +
        `Install with (as root): ${installLine(missing)}`,
    );
  }
  env.log(`${WHAT[purpose]} needs ${missing.length} system package(s) this machine lacks; installing with apt-get:`);
  for (const p of missing) env.log(`  ${p.name}: ${p.why}`);
  await env.withoutServiceStarts(async () => {
    await aptGet(env, ['update', '-q'], 'apt-get update');
    await aptGet(env, ['install', '-y', '-q', '--no-install-recommends', ...missing.map((p) => p.name)], `apt-get install ${names}`);
  });
  const still = missingPackages(purpose, (p) => env.installed(p));
  if (still.length > 0) {
    throw new SetupError(`installed, but still missing: ${still.map((p) => p.name).join(', ')}. Try: ${installLine(still)}`);
  }
}

/** The real machine: root by uid, commands spawned without a shell, non-interactive apt. */
export function processSetupEnvironment(log: (line: string) => void): SetupEnvironment {
  return {
    isRoot: process.getuid?.() === 0,
    hasAptGet: findTool('apt-get') !== undefined,
    installed: installedHere,
    async withoutServiceStarts(work) {
      const own = !existsSync(POLICY_RC);
      if (own) writeFileSync(POLICY_RC, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
      try {
        return await work();
      } finally {
        if (own) rmSync(POLICY_RC, { force: true });
      }
    },
    log,
    run: (command, args, onLine) =>
      new Promise((resolve, reject) => {
        const child = spawn(command, [...args], {
          env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let partial = '';
        const onData = (chunk: Buffer): void => {
          const lines = (partial + chunk.toString('utf8')).split('\n');
          partial = lines.pop() ?? '';
          lines.forEach(onLine);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('error', reject);
        child.on('close', (code) => {
          if (partial !== '') onLine(partial);
          resolve(code ?? 1);
        });
      }),
  };
}
