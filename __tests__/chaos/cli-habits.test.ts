import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
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

describe('--var and --var-file (chaostoolkit: configuration, then secrets; --var last)', () => {
  const sample = join(REPO, '__tests__', 'chaos', 'fixtures', 'chaostoolkit-sample.json');
  /** No MARKER_DIR or SUT_URL: the sample's configuration must come from the command line. */
  const env = { PATH: process.env.PATH };
  const secretExperiment = (secret: string) =>
    `title: secret\ndescription: d\nsecrets:\n  api:\n    token: ${secret}\nmethod:\n  - {type: probe, name: p, provider: {type: http, url: "http://127.0.0.1:9/\${token}"}}\n`;
  const files: Record<string, string> = {
    'vars.yaml': 'configuration:\n  base_url: http://from-file.invalid:1\n  marker_dir: /from-file\n',
    'later.json': JSON.stringify({ configuration: { base_url: 'http://later.invalid:2' } }),
    'markers.env': '# the marker directory\nMARKER_DIR=/from-dotenv\n\n',
    'secrets.yaml': 'secrets:\n  api:\n    token: from-var-file\n',
    'secret-env.yaml': secretExperiment('{type: env, key: CHAOS_TEST_UNSET_TOKEN}'),
    'secret-literal.yaml': secretExperiment('literal'),
    'flat.yaml': 'base_url: http://x\n',
    'broken.yaml': 'configuration: [unclosed\n',
    'broken.env': 'MARKER_DIR\n',
    'vars.txt': 'base_url=x\n',
  };
  beforeAll(async () => {
    await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(dir, name), text)));
  });

  it('GIVEN --var over an env reference whose variable is unset THEN the value is used (dry run shows it)', async () => {
    const result = await runCli(
      ['run', sample, '--dry-run', '--var', 'base_url=http://cli.invalid:3', '--var', 'marker_dir=/from-cli'],
      dir,
      env,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('GET http://cli.invalid:3/healthz');
    expect(result.stdout).toContain('touch /from-cli/chaostoolkit-rolled-back');
  });

  it('GIVEN no --var THEN the unset variable is still an error (exit 2)', async () => {
    const result = await runCli(['validate', sample], dir, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/MARKER_DIR is not set/);
  });

  it('GIVEN var files and --var THEN later files win over earlier ones and --var over all files', async () => {
    const files = await runCli(['run', sample, '--dry-run', '--var-file', 'vars.yaml', '--var-file', 'later.json'], dir, env);
    expect(files.code).toBe(0);
    expect(files.stdout).toContain('GET http://later.invalid:2/healthz');
    expect(files.stdout).toContain('touch /from-file/chaostoolkit-rolled-back');
    const both = await runCli(['run', sample, '--dry-run', '--var', 'base_url=http://cli.invalid:3', '--var-file', 'vars.yaml'], dir, env);
    expect(both.stdout).toContain('GET http://cli.invalid:3/healthz');
  });

  it('GIVEN a .env var file THEN its variables are in the environment the configuration reads', async () => {
    const result = await runCli(['run', sample, '--dry-run', '--var-file', 'markers.env', '--var', 'base_url=http://x.invalid'], dir, env);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('touch /from-dotenv/chaostoolkit-rolled-back');
  });

  it('GIVEN a var file with secrets THEN they replace env-referenced secrets; a literal secret is refused as not overridable', async () => {
    expect((await runCli(['validate', 'secret-env.yaml'], dir, env)).code).toBe(2);
    const ok = await runCli(['validate', 'secret-env.yaml', '--var-file', 'secrets.yaml'], dir, env);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    const literal = await runCli(['validate', 'secret-literal.yaml', '--var-file', 'secrets.yaml'], dir, env);
    expect(literal.code).toBe(2);
    expect(literal.stderr).toMatch(/^chaos: secrets\.yaml: secrets\.api\.token: the experiment gives this secret as a literal/);
  });

  it('GIVEN --var int and float types THEN they are converted; bytes is not supported', async () => {
    const typed = await runCli(
      ['run', sample, '--dry-run', '--var', 'base_url:str=http://t.invalid', '--var', 'marker_dir:int=42'],
      dir,
      env,
    );
    expect(typed.stdout).toContain('touch 42/chaostoolkit-rolled-back');
  });

  const BAD: [string, string[], RegExp][] = [
    ['no =', ['--var', 'base_url'], /^chaos: --var "base_url": expected name\[:type\]=value \(e\.g\. --var https_url=/],
    ['empty name', ['--var', '=x'], /^chaos: --var "=x": expected name\[:type\]=value/],
    ['unknown type', ['--var', 'base_url:url=x'], /^chaos: --var "base_url:url=x": unknown type "url": expected str, int or float/],
    ['bad int', ['--var', 'marker_dir:int=ten'], /^chaos: --var "marker_dir:int=ten": expected an integer for marker_dir:int, got "ten"$/],
    ['bad float', ['--var', 'marker_dir:float=inf'], /expected a finite number for marker_dir:float/],
    ['bytes', ['--var', 'marker_dir:bytes=x'], /the bytes type is not supported .*: use marker_dir=x \(a string\)$/],
    [
      'undeclared',
      ['--var', 'base_ur=x'],
      /^chaos: --var base_ur: no experiment declares configuration "base_ur" \(declared: base_url, marker_dir/,
    ],
    ['missing file', ['--var-file', 'nope.yaml'], /^chaos: --var-file nope\.yaml: no such file$/],
    ['other extension', ['--var-file', 'vars.txt'], /^chaos: --var-file vars\.txt: expected a \.json, \.yaml, \.yml or \.env file$/],
    ['malformed YAML', ['--var-file', 'broken.yaml'], /^chaos: --var-file broken\.yaml: line \d+, column \d+: is not valid YAML/],
    [
      'flat file',
      ['--var-file', 'flat.yaml'],
      /^chaos: --var-file flat\.yaml: base_url: unknown key; expected a mapping with "configuration"/,
    ],
    ['malformed .env', ['--var-file', 'broken.env'], /^chaos: --var-file broken\.env: line 1: expected NAME=value/],
  ];
  it.each(BAD)('GIVEN %s THEN one line on stderr, exit 2, nothing run', async (_name, args, expected) => {
    for (const command of [
      ['run', sample, '--var', 'marker_dir=/m', ...args],
      ['validate', sample, '--var', 'marker_dir=/m', ...args],
    ]) {
      const result = await runCli(command, dir, env);
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(result.stderr.trimEnd()).toMatch(expected);
      if (command[0] === 'run') expect(result.stdout).toBe('');
    }
  });

  it('GIVEN run --help and validate --help THEN --var and --var-file are shown with an example', async () => {
    for (const command of ['run', 'validate']) {
      const help = (await runCli([command, '--help'], dir)).stdout;
      expect(help).toMatch(/--var <name\[:type\]=value>/);
      expect(help).toMatch(/--var-file <file>/);
      expect(help).toMatch(/\$ npx chaos .*--var/);
    }
  });
});
