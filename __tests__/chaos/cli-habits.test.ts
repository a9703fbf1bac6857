import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO, runCli } from './helpers/cli-harness';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string; bin?: Record<string, string> };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-habits-'));
});

describe('chaos --version and the bin entry', () => {
  it('GIVEN --version or -V THEN it prints the version of package.json alone, exit 0', async () => {
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag], dir);
      expect(result).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
  });

  it('GIVEN package.json THEN its bin "chaos" is an executable file that runs the CLI from any directory, stdout without a banner', async () => {
    const bin = pkg.bin?.chaos;
    expect(bin).toBeDefined();
    const path = join(REPO, bin ?? '');
    accessSync(path, constants.X_OK);
    expect(readFileSync(path, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const { stdout } = await run(process.execPath, [path, '--version'], { cwd: dir });
    expect(stdout).toBe(`${pkg.version}\n`);
  }, 30_000);
});

describe('run --help', () => {
  it('GIVEN the examples THEN every --stack is an environment of config/environments.json and every experiment file exists', async () => {
    const help = await runCli(['run', '--help'], dir);
    expect(help.code).toBe(0);
    const config = JSON.parse(readFileSync(join(REPO, 'config', 'environments.json'), 'utf8')) as { environments: { name: string }[] };
    const examples = help.stdout.split('\n').filter((line) => line.startsWith('  $ '));
    const stacks = examples.flatMap((line) => [...line.matchAll(/--stack (\S+)/g)].map((m) => m[1]));
    expect(stacks.length).toBeGreaterThan(0);
    for (const stack of stacks) expect(config.environments.map((e) => e.name)).toContain(stack);
    const files = [...help.stdout.matchAll(/\$ npx chaos run (\S+)/g)].map((m) => m[1] ?? '');
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(existsSync(join(REPO, file))).toBe(true);
  });

  it('GIVEN the top-level help THEN it says how to keep the npm banner out of redirected output', async () => {
    const help = await runCli(['--help'], dir);
    expect(help.stdout).toMatch(/npm run -s chaos/);
    expect(help.stdout).toMatch(/--version/);
  });
});
