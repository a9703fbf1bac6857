import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO, runCli } from './helpers/cli-harness';
import { LocalServer } from './helpers/local-server';

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
    'secret-two.yaml': secretExperiment('literal\n    user: someone'),
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

  it('GIVEN a var file with secrets THEN its scope takes the place of the experiment’s, literals too (load_secrets); one leaving a name out is refused', async () => {
    expect((await runCli(['validate', 'secret-env.yaml'], dir, env)).code).toBe(2);
    const ok = await runCli(['validate', 'secret-env.yaml', '--var-file', 'secrets.yaml'], dir, env);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    const literal = await runCli(['validate', 'secret-literal.yaml', '--var-file', 'secrets.yaml'], dir, env);
    expect(literal).toMatchObject({ code: 0, stderr: '' });
    const partial = await runCli(['validate', 'secret-two.yaml', '--var-file', 'secrets.yaml'], dir, env);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(
      /^chaos: secret-two\.yaml: secrets\.api: the --var-file secrets\.api takes the place of this whole scope .* but leaves out user: give it in the var file too\n$/,
    );
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

describe('--rollback-strategy (chaostoolkit-lib run_rollback), over the file', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await new LocalServer().start();
    const experiment = (method: string, strategy = '') =>
      `title: rb\ndescription: d\n${strategy}steady-state-hypothesis:\n  title: up\n  probes:\n    - {type: probe, name: health, tolerance: 200, provider: {type: http, url: "${server.url}/healthz"}}\nmethod:\n  - ${method}\nrollbacks:\n  - {type: action, name: heal, provider: {type: http, url: "${server.url}/__heal"}}\n`;
    const breaks = `{type: action, name: break, provider: {type: http, url: "${server.url}/__fail?ms=60000"}}`;
    const looks = `{type: probe, name: look, provider: {type: http, url: "${server.url}/"}}`;
    await writeFile(join(dir, 'deviates.yaml'), experiment(breaks));
    await writeFile(join(dir, 'holds.yaml'), experiment(looks));
    await writeFile(join(dir, 'never.yaml'), experiment(breaks, 'rollback-strategy: never\n'));
    await writeFile(join(dir, 'ctk-default.yaml'), experiment(breaks, 'runtime: {rollbacks: {strategy: default}}\n'));
  });
  afterEach(() => {
    server.mode = 'healthy';
  });
  afterAll(async () => server.stop());

  let n = 0;
  async function runWith(
    file: string,
    args: string[],
  ): Promise<{
    code: number;
    journal: { status: string; deviated: boolean; rollbacks: unknown[]; rollbacks_skipped: string | null; rollback_strategy: string };
  }> {
    n += 1;
    const journal = join(dir, `rb-${n}.json`);
    const result = await runCli(['run', file, '--quiet', '--journal', journal, ...args], dir);
    expect(result.stderr).toBe('');
    return { code: result.code, journal: JSON.parse(await readFile(journal, 'utf8')) as never };
  }

  it.each([
    ['deviates.yaml', 'default', false],
    ['deviates.yaml', 'always', true],
    ['deviates.yaml', 'deviated', true],
    ['deviates.yaml', 'never', false],
    ['holds.yaml', 'default', true],
    ['holds.yaml', 'always', true],
    ['holds.yaml', 'deviated', false],
    ['holds.yaml', 'never', false],
    ['never.yaml', 'always', true],
  ] as const)('GIVEN %s with --rollback-strategy %s THEN rollbacks played: %s', async (file, strategy, played) => {
    const { journal } = await runWith(file, ['--rollback-strategy', strategy]);
    expect(journal.deviated).toBe(file !== 'holds.yaml');
    expect(journal.rollback_strategy).toBe(strategy);
    expect(journal.rollbacks.length > 0).toBe(played);
    expect(journal.rollbacks_skipped === null).toBe(played);
  });

  it('GIVEN a failed run under "default" THEN the skip reason says how to play them, and `chaos rollback <journal>` does', async () => {
    const { journal } = await runWith('deviates.yaml', ['--rollback-strategy', 'default']);
    expect(server.mode).toBe('failing');
    const later = await runCli(['rollback', join(dir, `rb-${n}.json`), '--quiet'], dir);
    expect(later).toMatchObject({ code: 0, stderr: '' });
    expect(server.mode).toBe('healthy');
    expect(journal.rollbacks_skipped).toMatch(
      /^rollback-strategy is "default" and the run failed: `npx chaos rollback <journal>` plays them/,
    );
  });

  it("GIVEN the file's runtime.rollbacks.strategy default and no flag THEN chaostoolkit's default applies (skipped on a failed run); no strategy at all: default too", async () => {
    expect((await runWith('ctk-default.yaml', [])).journal).toMatchObject({ rollback_strategy: 'default', rollbacks: [] });
    server.mode = 'healthy'; // the skipped rollback did not heal it
    const none = (await runWith('deviates.yaml', [])).journal;
    expect(none.rollback_strategy).toBe('default');
    expect(none.rollbacks.length).toBe(0);
  });

  it('GIVEN an unknown strategy THEN one line, exit 2, nothing run', async () => {
    const result = await runCli(['run', 'holds.yaml', '--rollback-strategy', 'sometimes'], dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd()).toMatch(
      /^chaos: option '--rollback-strategy <strategy>' argument 'sometimes' is invalid\. Allowed choices are default, always, never, deviated\. \(see --help\)$/,
    );
  });

  it('GIVEN run --help THEN --rollback-strategy is shown with an example; the dry run says when they run', async () => {
    const help = (await runCli(['run', '--help'], dir)).stdout;
    expect(help).toMatch(/--rollback-strategy <strategy>/);
    expect(help).toMatch(/\$ npx chaos run .*--rollback-strategy deviated/);
    const dry = await runCli(['run', 'holds.yaml', '--dry-run', '--rollback-strategy', 'default'], dir);
    expect(dry.stdout).toContain('5. rollbacks (strategy default, unless the run fails or is interrupted):');
  });
});

describe('--journal-path and --json (one JSON object on stdout)', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await new LocalServer().start();
    const experiment = (method: string) =>
      `title: json\ndescription: d\nsteady-state-hypothesis:\n  title: up\n  probes:\n    - {type: probe, name: health, tolerance: 200, provider: {type: http, url: "${server.url}/healthz"}}\nmethod:\n  - ${method}\nrollbacks:\n  - {type: action, name: heal, provider: {type: http, url: "${server.url}/__heal"}}\n`;
    await writeFile(join(dir, 'json-holds.yaml'), experiment(`{type: probe, name: look, provider: {type: http, url: "${server.url}/"}}`));
    await writeFile(
      join(dir, 'json-deviates.yaml'),
      experiment(`{type: action, name: break, provider: {type: http, url: "${server.url}/__fail?ms=60000"}}`),
    );
  });
  afterAll(async () => server.stop());

  /** stdout must be exactly one line of JSON. */
  function parseOne(stdout: string): Record<string, unknown> & { experiments: Record<string, unknown>[] } {
    expect(stdout.endsWith('\n')).toBe(true);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    return JSON.parse(stdout) as never;
  }

  it('GIVEN run --json --journal-path on a run that holds THEN the object names the verdict and the journal, which is written there', async () => {
    const journal = join(dir, 'json-holds.json');
    const result = await runCli(['run', 'json-holds.yaml', '--json', '--quiet', '--journal-path', journal], dir);
    expect(result.code).toBe(0);
    expect(parseOne(result.stdout)).toEqual({
      version: 1,
      command: 'run',
      ok: true,
      exitCode: 0,
      dryRun: false,
      experiments: [
        {
          file: 'json-holds.yaml',
          title: 'json',
          status: 'completed',
          deviated: false,
          verdict: 'passed',
          reasons: [],
          journal,
          report: null,
          recovery: null,
          plan: [],
        },
      ],
    });
    expect(JSON.parse(await readFile(journal, 'utf8'))).toMatchObject({ status: 'completed' });
  });

  it('GIVEN run --json on a run that deviates THEN ok false, exit 1, verdict deviated with its reason', async () => {
    const result = await runCli(['run', 'json-deviates.yaml', '--json', '--quiet', '--journal', join(dir, 'json-deviates.json')], dir);
    expect(result.code).toBe(1);
    const out = parseOne(result.stdout);
    expect(out).toMatchObject({ ok: false, exitCode: 1 });
    expect(out.experiments[0]).toMatchObject({ status: 'failed', deviated: true, verdict: 'deviated' });
    expect(out.experiments[0]?.reasons).toEqual([expect.stringMatching(/^steady state deviated after the method/)]);
  });

  it('GIVEN run --json --dry-run THEN the plan is in the object, no journal', async () => {
    const result = await runCli(['run', 'json-holds.yaml', '--json', '--dry-run'], dir);
    expect(result.code).toBe(0);
    const out = parseOne(result.stdout);
    expect(out).toMatchObject({ ok: true, dryRun: true, outputs: 'none found (not needed)' });
    expect(out.experiments[0]).toMatchObject({ status: 'planned', verdict: 'planned', journal: null });
    expect(out.experiments[0]?.plan).toEqual(expect.arrayContaining([expect.stringMatching(/^1\. steady state before/)]));
  });

  it('GIVEN validate --json over a good and a bad file THEN one object with each file, exit 2', async () => {
    const result = await runCli(['validate', 'json-holds.yaml', 'missing.yaml', '--json'], dir);
    expect(result.code).toBe(2);
    expect(parseOne(result.stdout)).toEqual({
      version: 1,
      command: 'validate',
      ok: false,
      exitCode: 2,
      error: null,
      experiments: [
        { file: 'json-holds.yaml', valid: true, title: 'json', summary: expect.stringMatching(/^"json" \(\d+ activities/), problem: null },
        { file: 'missing.yaml', valid: false, title: null, summary: null, problem: 'missing.yaml: no such file' },
      ],
    });
    expect(result.stderr).toBe('chaos: missing.yaml: no such file\n');
  });

  it('GIVEN --json and bad usage THEN the object carries the error line too, exit 2, nothing run', async () => {
    for (const argv of [
      ['run', 'json-holds.yaml', '--json', '--rollback-strategy', 'sometimes'],
      ['run', 'json-holds.yaml', '--json', '--var', 'nope'],
      ['validate', 'json-holds.yaml', '--json', '--bogus'],
    ]) {
      const result = await runCli(argv, dir);
      expect(result.code).toBe(2);
      const out = parseOne(result.stdout);
      expect(out).toMatchObject({ command: argv[0], ok: false, exitCode: 2, experiments: [] });
      expect(`chaos: ${String(out.error)}\n`).toBe(result.stderr);
    }
  });

  it('GIVEN --journal and --journal-path naming two files THEN one line, exit 2, nothing run', async () => {
    const result = await runCli(['run', 'json-holds.yaml', '--journal', 'a.json', '--journal-path', 'b.json'], dir);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'chaos: --journal a.json and --journal-path b.json name two files: give one of them\n',
    });
  });

  it('GIVEN run --help and validate --help THEN --json and --journal-path are shown with examples', async () => {
    const run = (await runCli(['run', '--help'], dir)).stdout;
    expect(run).toMatch(/--journal-path <file>/);
    expect(run).toMatch(/\$ npx chaos run .*--journal-path \S+ --json/);
    const validate = (await runCli(['validate', '--help'], dir)).stdout;
    expect(validate).toMatch(/\$ npx chaos validate .*--json/);
  });
});

describe('--hypothesis-strategy, --hypothesis-frequency, --fail-fast (chaostoolkit run.py)', () => {
  let server: LocalServer;
  type Steady = { steady_state_met: boolean };
  type HJournal = {
    status: string;
    deviated: boolean;
    reasons: string[];
    run: { activity: { name: string } }[];
    steady_states: { before: Steady | null; during: Steady[]; after: Steady | null };
  };
  beforeAll(async () => {
    server = await new LocalServer().start();
    const probe = `{type: probe, name: health, tolerance: 200, provider: {type: http, url: "${server.url}/healthz"}}`;
    const head = `title: hs\ndescription: d\nsteady-state-hypothesis:\n  title: up\n  probes:\n    - ${probe}\n`;
    const heal = `{type: action, name: heal, provider: {type: http, url: "${server.url}/__heal"}}`;
    await writeFile(
      join(dir, 'hs-deviates.yaml'),
      `${head}method:\n  - {type: action, name: break, provider: {type: http, url: "${server.url}/__fail?ms=60000"}}\nrollbacks:\n  - ${heal}\n`,
    );
    await writeFile(
      join(dir, 'hs-flaps.yaml'),
      `${head}method:\n  - {type: action, name: break, provider: {type: http, url: "${server.url}/__fail?ms=60000"}, pauses: {after: 1}}\n  - ${heal}\nrollbacks:\n  - ${heal}\n`,
    );
  });
  afterEach(() => {
    server.mode = 'healthy';
  });
  afterAll(async () => server.stop());

  let n = 0;
  async function runWith(file: string, args: string[]): Promise<{ code: number; stderr: string; journal: HJournal }> {
    n += 1;
    const journal = join(dir, `hs-${n}.json`);
    const result = await runCli(['run', file, '--journal', journal, ...args], dir);
    return { code: result.code, stderr: result.stderr, journal: JSON.parse(await readFile(journal, 'utf8')) as HJournal };
  }

  it('GIVEN before-method-only THEN no check after: a fault that stays is not seen, the run completes', async () => {
    const { journal, code } = await runWith('hs-deviates.yaml', ['--quiet', '--hypothesis-strategy', 'before-method-only']);
    expect(journal.steady_states.before?.steady_state_met).toBe(true);
    expect(journal.steady_states.after).toBeNull();
    expect(journal).toMatchObject({ status: 'completed', deviated: false });
    expect(code).toBe(0);
  });

  it('GIVEN after-method-only THEN no check before, the check after deviates', async () => {
    const { journal, code } = await runWith('hs-deviates.yaml', ['--quiet', '--hypothesis-strategy', 'after-method-only']);
    expect(journal.steady_states.before).toBeNull();
    expect(journal.steady_states.after?.steady_state_met).toBe(false);
    expect(journal).toMatchObject({ status: 'failed', deviated: true });
    expect(code).toBe(1);
  });

  it('GIVEN during-method without --fail-fast THEN checks every --hypothesis-frequency during the method, a miss is a warning only', async () => {
    const { journal, stderr } = await runWith('hs-flaps.yaml', ['--hypothesis-strategy', 'during-method', '--hypothesis-frequency', '0.2']);
    expect(journal.steady_states.before).toBeNull();
    expect(journal.steady_states.after).toBeNull();
    expect(journal.steady_states.during.length).toBeGreaterThanOrEqual(3);
    expect(journal.steady_states.during.some((s) => !s.steady_state_met)).toBe(true);
    expect(journal.run.map((r) => r.activity.name)).toEqual(['break', 'heal']);
    expect(journal.status).toBe('completed');
    expect(stderr).toMatch(/steady state not met during the method \(check \d+\).*without --fail-fast the run goes on/);
  });

  it('GIVEN during-method-only (chaostoolkit spelling) with --fail-fast THEN the first miss fails the run and the method stops after its current activity', async () => {
    const { journal, code } = await runWith('hs-flaps.yaml', [
      '--quiet',
      '--hypothesis-strategy',
      'during-method-only',
      '--hypothesis-frequency',
      '0.2',
      '--fail-fast',
    ]);
    expect(code).toBe(1);
    expect(journal.status).toBe('failed');
    expect(journal.deviated).toBe(false);
    expect(journal.reasons[0]).toMatch(/^steady state not met during the method \(check \d+\): .*\(--fail-fast stopped the method\)$/);
    expect(journal.run.map((r) => r.activity.name)).toEqual(['break']);
    expect(journal.steady_states.during.at(-1)?.steady_state_met).toBe(false);
  });

  it('GIVEN continuously THEN before, during and after', async () => {
    const { journal } = await runWith('hs-flaps.yaml', [
      '--quiet',
      '--hypothesis-strategy',
      'continously',
      '--hypothesis-frequency',
      '0.3',
    ]);
    expect(journal.steady_states.before?.steady_state_met).toBe(true);
    expect(journal.steady_states.during.length).toBeGreaterThan(0);
    expect(journal.steady_states.after?.steady_state_met).toBe(true);
    expect(journal.status).toBe('completed');
  });

  it.each([
    [
      ['--hypothesis-strategy', 'sometimes'],
      /^chaos: option '--hypothesis-strategy <strategy>' argument 'sometimes' is invalid\. Allowed choices are default, before-method-only/,
    ],
    [
      ['--hypothesis-strategy', 'during-method', '--hypothesis-frequency', '0'],
      /^chaos: option '--hypothesis-frequency <seconds>' argument '0' is invalid\. expected seconds between checks/,
    ],
    [['--hypothesis-strategy', 'during-method', '--hypothesis-frequency', 'often'], /argument 'often' is invalid/],
    [
      ['--hypothesis-frequency', '2'],
      /^chaos: --hypothesis-frequency applies to the checks during the method: add --hypothesis-strategy during-method or continuously \(got default\)$/,
    ],
    [
      ['--fail-fast', '--hypothesis-strategy', 'after-method-only'],
      /^chaos: --fail-fast applies to the checks during the method: .*\(got after-method-only\)$/,
    ],
  ])('GIVEN %j THEN one line, exit 2, nothing run', async (args, expected) => {
    const result = await runCli(['run', 'hs-deviates.yaml', ...args], dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd()).toMatch(expected);
    expect(server.mode).toBe('healthy');
  });

  it('GIVEN --help and a dry run THEN the options are shown with an example and the plan says when the steady state is checked', async () => {
    const help = (await runCli(['run', '--help'], dir)).stdout;
    expect(help).toMatch(/--hypothesis-strategy <strategy>/);
    expect(help).toMatch(/\$ npx chaos run .*--hypothesis-strategy continuously --hypothesis-frequency 2 --fail-fast/);
    const dry = await runCli(['run', 'hs-flaps.yaml', '--dry-run', '--hypothesis-strategy', 'continuously', '--fail-fast'], dir);
    expect(dry.stdout).toContain(
      'hypothesis strategy continuously: the steady state is checked before, every 1s during the method, after; the first check not met',
    );
  });
});
