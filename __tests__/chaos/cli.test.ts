import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../chaos/commands/run';
import { UsageError } from '../../chaos/errors';
import { SERVICE_NAMES } from '../../contract/services';
import { quietInterrupts } from '../../chaos/io';
import { execCli, REPO, runCli } from './helpers/cli-harness';
import { LocalServer } from './helpers/local-server';
import { outputsFor } from './helpers/outputs-fixture';
import { TEST_CATALOG } from './helpers/test-faults';

let dir: string;
let server: LocalServer;

const good = (url: string) =>
  `title: Good\ndescription: d\nsteady-state-hypothesis:\n  title: up\n  probes:\n    - {type: probe, name: health, tolerance: 200, provider: {type: http, url: "${url}/healthz"}}\nmethod:\n  - {type: probe, name: page, tolerance: 200, provider: {type: fault, id: "http:get", arguments: {path: /}}}\n`;

/** Bad inputs: each must end in exit 2 and exactly one clear line on stderr. */
const FILES: Record<string, string> = {
  'malformed.yaml': 'title: [unclosed\nmethod: x\n',
  'malformed.json': '{"title": "x", "method": [}',
  'wrong-type.yaml': 'title: 5\ndescription: d\nmethod: []\n',
  'unknown-fault.yaml': 'title: x\ndescription: d\nmethod:\n  - {type: action, name: a, provider: {type: fault, id: "ecs:stop-tsk"}}\n',
  'bad-fault-args.yaml':
    'title: x\ndescription: d\nmethod:\n  - {type: probe, name: a, provider: {type: fault, id: "http:get", arguments: {timeoutMs: soon}}}\n',
  'python.json': JSON.stringify({
    title: 'x',
    description: 'd',
    method: [{ type: 'action', name: 'a', provider: { type: 'python', module: 'chaosaws.ecs.actions', func: 'stop_task' } }],
  }),
  'no-executable.yaml':
    'title: x\ndescription: d\nmethod:\n  - {type: action, name: a, provider: {type: process, path: /nonexistent/tool}}\n',
  'env-missing.yaml':
    'title: x\ndescription: d\nconfiguration: {base: {type: env, key: CHAOS_TEST_UNSET_VAR}}\nmethod:\n  - {type: probe, name: a, provider: {type: http, url: "${base}"}}\n',
  'not-a-journal.json': JSON.stringify({ hello: 'world' }),
  'outputs-malformed.json': '{ "target": ',
  'outputs-empty.json': '{}',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-cli-'));
  server = await new LocalServer().start();
  const outputs = outputsFor(server.url);
  const { clusterName: _drop, ...missingKey } = outputs;
  Object.assign(FILES, {
    'good.yaml': good(server.url),
    'outputs.good.json': JSON.stringify(outputs),
    'outputs-missing-key.json': JSON.stringify(missingKey),
    'outputs-other-resources.json': JSON.stringify({ ...outputs, services: { ...outputs.services, payments: outputs.services.api } }),
    'outputs-two-stacks.json': JSON.stringify({ dev: outputs, prod: outputs }),
    'outputs-hostile-name.json': JSON.stringify({
      ...outputs,
      services: { ...outputs.services, api: { ...outputs.services.api, containerName: 'api;reboot' } },
    }),
    'outputs-elsewhere.json': JSON.stringify({ ...outputs, sshHost: '192.0.2.10' }),
    'outputs-other-region.json': JSON.stringify({
      ...outputs,
      target: 'aws',
      hostAccess: 'ssh',
      region: 'eu-west-1',
      certificateVolume: 'fs-0123456789abcdef0',
      repositoryUrls: Object.fromEntries(SERVICE_NAMES.map((s) => [s, `123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-test/${s}`])),
    }),
  });
  await Promise.all(Object.entries(FILES).map(([name, text]) => writeFile(join(dir, name), text)));
});
afterAll(async () => server.stop());

const CORPUS: [string, string[], RegExp][] = [
  ['malformed YAML', ['validate', 'malformed.yaml'], /^chaos: malformed\.yaml: line \d+, column \d+: is not valid YAML\/JSON/],
  ['malformed JSON', ['validate', 'malformed.json'], /^chaos: malformed\.json: line 1, column \d+: is not valid YAML\/JSON/],
  ['wrong types', ['validate', 'wrong-type.yaml'], /^chaos: wrong-type\.yaml: title: expected a string, got 5$/],
  [
    'unknown fault',
    ['validate', 'unknown-fault.yaml'],
    /^chaos: unknown-fault\.yaml: method\[0\]\.provider\.id: unknown fault "ecs:stop-tsk"/,
  ],
  [
    'bad fault arguments',
    ['validate', 'bad-fault-args.yaml'],
    /method\[0\]\.provider\.arguments\.timeoutMs: expected a number, got "soon"$/,
  ],
  ['python provider', ['validate', 'python.json'], /python\.json: method\[0\]\.provider\.type: python providers are not supported/],
  ['missing experiment file', ['validate', 'nope.yaml'], /^chaos: nope\.yaml: no such file$/],
  ['unset env reference', ['validate', 'env-missing.yaml'], /configuration\.base: environment variable CHAOS_TEST_UNSET_VAR is not set/],
  [
    'missing executable',
    ['run', 'no-executable.yaml', '--outputs', 'outputs.good.json'],
    /no-executable\.yaml: method\[0\]\.provider\.path: executable "\/nonexistent\/tool" is not found/,
  ],
  ['outputs not JSON', ['run', 'good.yaml', '--outputs', 'outputs-malformed.json'], /^chaos: outputs-malformed\.json: is not valid JSON/],
  ['outputs empty', ['run', 'good.yaml', '--outputs', 'outputs-empty.json'], /^chaos: outputs-empty\.json: target: is required/],
  [
    'outputs missing a key',
    ['run', 'good.yaml', '--outputs', 'outputs-missing-key.json'],
    /^chaos: outputs-missing-key\.json: clusterName: is required \(expected a string\)$/,
  ],
  [
    'outputs naming other resources',
    ['run', 'good.yaml', '--outputs', 'outputs-other-resources.json'],
    /^chaos: outputs-other-resources\.json: services\.payments: is not a known key/,
  ],
  [
    'outputs with two stacks',
    ['run', 'good.yaml', '--outputs', 'outputs-two-stacks.json'],
    /holds outputs of 2 stacks \(dev, prod\); choose one with --stack <name>$/,
  ],
  [
    'unknown stack',
    ['run', 'good.yaml', '--outputs', 'outputs-two-stacks.json', '--stack', 'qa'],
    /has no stack "qa" \(stacks: dev, prod\)$/,
  ],
  ['outputs file missing', ['run', 'good.yaml', '--outputs', 'missing.json'], /^chaos: missing\.json: no such file$/],
  [
    'outputs with a hostile name, in a dry run',
    ['run', 'good.yaml', '--outputs', 'outputs-hostile-name.json', '--dry-run'],
    /^chaos: outputs-hostile-name\.json: services\.api\.containerName: expected a Docker name: .*, got "api;reboot"$/,
  ],
  [
    'local outputs naming another machine, in validate',
    ['validate', 'good.yaml', '--outputs', 'outputs-elsewhere.json'],
    /^chaos: outputs-elsewhere\.json: sshHost: expected 127\.0\.0\.0\/8, ::1 or localhost \(a local target never names another machine\), got "192\.0\.2\.10"$/,
  ],
  [
    'aws outputs whose cluster ARN is in another region',
    ['run', 'good.yaml', '--outputs', 'outputs-other-region.json', '--dry-run'],
    /^chaos: outputs-other-region\.json: clusterArn: is in region us-east-1, but region is eu-west-1$/,
  ],
  [
    'faults without any outputs',
    ['run', 'good.yaml'],
    /outputs\.json or \.rehearsal\/outputs\.json: not found, and this experiment's faults \(http:get\) need the stack outputs: pass --outputs <file>$/,
  ],
  [
    '--journal with two experiments',
    ['run', 'good.yaml', 'good.yaml', '--journal', 'j.json'],
    /--journal names one file, so it needs exactly one experiment$/,
  ],
  ['unknown command', ['explode'], /^chaos: unknown command 'explode' \(see --help\)$/],
  ['unknown option', ['run', 'good.yaml', '--bogus'], /^chaos: unknown option '--bogus' \(see --help\)$/],
  ['missing argument', ['validate'], /^chaos: missing required argument 'experiment' \(see --help\)$/],
  ['bad choice', ['list', '--format', 'xml'], /option '--format <format>' argument 'xml' is invalid/],
  ['no command', [], /^chaos: a command is required: run, rollback, halt, validate, list, report, schema or init/],
  [
    'report of a non-journal',
    ['report', 'not-a-journal.json'],
    /^chaos: not-a-journal\.json: experiment: is required .*\(expected a journal written by chaos run\)$/,
  ],
  ['report of a missing journal', ['report', 'gone.json'], /^chaos: gone\.json: no such journal file$/],
];

function expectOneClearLine(result: { code: number; stderr: string }, message: RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.split('\n').filter((l) => l.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('CLI: every bad input ends in exit 2 and one clear stderr line (in-process main)', () => {
  it.each(CORPUS)('%s', async (_name, argv, message) => {
    const env = { ...process.env, CHAOS_TEST_UNSET_VAR: undefined };
    expectOneClearLine(await runCli(argv, dir, env), message);
  });
});

describe('CLI: the same through the real CLI as a child process', () => {
  const picked = ['malformed YAML', 'outputs missing a key', 'unknown option', 'no command', 'unknown fault'];
  it('behaves the same for a sample of the corpus', async () => {
    const cases = CORPUS.filter(([name]) => picked.includes(name));
    const results = await Promise.all(cases.map(([, argv]) => execCli(argv, dir)));
    results.forEach((result, i) => expectOneClearLine(result, cases[i]?.[2] ?? /never/));
  });
});

describe('CLI: commands that work', () => {
  it('--help teaches, exit 0', async () => {
    const top = await runCli(['--help'], dir);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Commands:[\s\S]*run[\s\S]*validate[\s\S]*list[\s\S]*report[\s\S]*schema/);
    for (const command of ['run', 'validate', 'list', 'report', 'schema']) {
      const help = await runCli([command, '--help'], dir);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Examples:/);
    }
  });

  it('list prints the catalog from the descriptors', async () => {
    const text = await runCli(['list'], dir);
    expect(text.stdout).toMatch(/^http:get {2}\(probe\)/);
    const json = JSON.parse((await runCli(['list', '--format', 'json'], dir)).stdout);
    expect(json[0]).toMatchObject({ id: 'http:get', kind: 'probe', destructive: false });
    expect(json[0].arguments.map((a: { name: string }) => a.name)).toContain('path');
    expect((await runCli(['list', '--format', 'markdown'], dir)).stdout).toMatch(/^\| Id \| Kind \| Destructive/);
  });

  it('validate accepts the shipped experiments and the chaostoolkit fixture', async () => {
    const result = await runCli(
      ['validate', join(REPO, 'chaos/experiments/http-smoke.yaml'), join(__dirname, 'fixtures/chaostoolkit-sample.json')],
      dir,
      { ...process.env, MARKER_DIR: dir },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    expect(result.code).toBe(0);
  });

  it('run --dry-run resolves targets and prints the plan, touching nothing', async () => {
    const before = server.requests;
    const result = await runCli(['run', 'good.yaml', '--outputs', 'outputs.good.json', '--dry-run'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`GET ${server.url}/ expecting 200`);
    expect(result.stdout).toMatch(/dry run: nothing was done, no journal written/);
    expect(server.requests).toBe(before);
  });

  it('run writes the journal, prints the verdict, exit 0; report renders it', async () => {
    const result = await runCli(['run', 'good.yaml', '--outputs', 'outputs.good.json', '--journal', 'out/j.json', '--quiet'], dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^completed: Good; journal out\/j\.json$/m);
    expect(result.code).toBe(0);
    const report = await runCli(['report', 'out/j.json', '--out', 'report.md'], dir);
    expect(report.code).toBe(0);
    expect(await readFile(join(dir, 'report.md'), 'utf8')).toMatch(/^# Good\n\n\*\*Verdict: PASSED\*\*/);
  });

  it('schema prints the JSON Schema', async () => {
    const result = await runCli(['schema'], dir);
    expect(JSON.parse(result.stdout)).toMatchObject({ title: 'Chaos experiment', type: 'object' });
  });
});

describe('run: destructive faults need --yes', () => {
  const marker = (service: string) =>
    `title: Destructive\ndescription: d\nmethod:\n  - {type: action, name: mark, provider: {type: fault, id: "test:touch-marker", arguments: {service: ${service}, marker: "${join(dir, 'm')}"}}}\n`;
  const options = {
    outputs: 'outputs.good.json',
    stack: undefined,
    dryRun: false,
    journal: 'd.json',
    yes: false,
    quiet: true,
    catalog: TEST_CATALOG,
  };
  const io = () => ({ stdout: () => undefined, stderr: () => undefined, cwd: dir, env: process.env, interrupts: quietInterrupts });

  it('GIVEN no --yes THEN UsageError naming the faults; with --dry-run it only describes them', async () => {
    await writeFile(join(dir, 'destructive.yaml'), marker('api'));
    await expect(runCommand({ ...options, experiments: ['destructive.yaml'] }, io())).rejects.toThrow(UsageError);
    await expect(runCommand({ ...options, experiments: ['destructive.yaml'] }, io())).rejects.toThrow(
      /destructive\.yaml injects destructive faults \(test:touch-marker in "mark"\); add --yes/,
    );
    let out = '';
    await runCommand({ ...options, dryRun: true, experiments: ['destructive.yaml'] }, { ...io(), stdout: (t: string) => void (out += t) });
    expect(out).toContain(`test:touch-marker: mark platform-test-api in ${join(dir, 'm')} [destructive]`);
  });

  it('GIVEN --yes THEN it runs', async () => {
    await writeFile(join(dir, 'destructive.yaml'), marker('api'));
    await expect(runCommand({ ...options, yes: true, experiments: ['destructive.yaml'] }, io())).resolves.toBe(0);
  });

  it('GIVEN a fault aimed outside the outputs THEN refused before anything runs', async () => {
    await writeFile(
      join(dir, 'aim.yaml'),
      'title: Aim\ndescription: d\nmethod:\n  - {type: action, name: aim, provider: {type: fault, id: "test:aim-at", arguments: {service: payments}}}\n',
    );
    await expect(runCommand({ ...options, yes: true, experiments: ['aim.yaml'] }, io())).rejects.toThrow(
      /^aim\.yaml: method\[0\]\.provider\.arguments: service "payments" is not named in the outputs .*a fault may only target what the outputs name$/,
    );
  });
});
