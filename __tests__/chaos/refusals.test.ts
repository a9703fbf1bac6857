import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from './helpers/cli-harness';
import { LocalServer } from './helpers/local-server';
import { outputsFor } from './helpers/outputs-fixture';

/** Refusals before anything runs: a fault used as the other kind, processes without --yes, every file validated. */

let dir: string;
let server: LocalServer;

const probe = (name: string, provider: string, tolerance = ''): string =>
  `{type: probe, name: ${name}, provider: ${provider}${tolerance === '' ? '' : `, tolerance: ${tolerance}`}}`;
const action = (name: string, provider: string): string => `{type: action, name: ${name}, provider: ${provider}}`;
const fault = (id: string, args = '{service: api}'): string => `{type: fault, id: "${id}", arguments: ${args}}`;
const touch = (file: string): string => `{type: process, path: touch, arguments: ["${file}"]}`;
const experiment = (parts: { hypothesis?: string[]; method?: string[]; rollbacks?: string[] }): string =>
  [
    'title: x',
    'description: d',
    ...(parts.hypothesis ? ['steady-state-hypothesis:', '  title: h', '  probes:', ...parts.hypothesis.map((p) => `    - ${p}`)] : []),
    'method:',
    ...(parts.method ?? []).map((a) => `  - ${a}`),
    ...(parts.rollbacks ? ['rollbacks:', ...parts.rollbacks.map((a) => `  - ${a}`)] : []),
    '',
  ].join('\n');

const write = async (name: string, text: string): Promise<string> => {
  await writeFile(join(dir, name), text);
  return name;
};

function expectOneLine(result: CliResult, message: RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-refusals-'));
  server = await new LocalServer().start();
  await write('outputs.json', JSON.stringify(outputsFor(server.url)));
});
afterAll(async () => server.stop());

describe('a fault used as the other kind is refused at load, naming the place', () => {
  const page = probe('page', fault('http:get', '{path: /}'), '200');
  it.each<[string, string, RegExp]>([
    [
      'a destructive fault as a steady-state probe',
      experiment({ hypothesis: [probe('stop', fault('ecs:stop-task'), '200')], method: [page] }),
      /^chaos: kind\.yaml: steady-state-hypothesis\.probes\[0\]\.provider\.id: ecs:stop-task is a destructive action, so it cannot be a probe \(probes run again and again, and must only look\); use it as type: action in the method$/,
    ],
    [
      'a destructive fault as a method probe',
      experiment({ method: [probe('kill', fault('ssh:docker-kill'))] }),
      /^chaos: kind\.yaml: method\[0\]\.provider\.id: ssh:docker-kill is a destructive action, so it cannot be a probe/,
    ],
    [
      'a destructive fault as a tolerance probe',
      experiment({
        method: [probe('page', fault('http:get', '{path: /}'), `{type: probe, name: t, provider: ${fault('ecs:drain-instance', '{}')}}`)],
      }),
      /^chaos: kind\.yaml: method\[0\]\.tolerance\.provider\.id: ecs:drain-instance is a destructive action/,
    ],
    [
      'a probe module as an action',
      experiment({ method: [action('stable', fault('ecs:service-stable'))] }),
      /^chaos: kind\.yaml: method\[0\]\.provider\.id: ecs:service-stable is a probe, so it cannot be an action; use it as type: probe$/,
    ],
    [
      'a probe module as a rollback action',
      experiment({ method: [page], rollbacks: [action('look', fault('http:get', '{path: /}'))] }),
      /^chaos: kind\.yaml: rollbacks\[0\]\.provider\.id: http:get is a probe, so it cannot be an action/,
    ],
  ])('%s', async (_name, text, message) => {
    await write('kind.yaml', text);
    expectOneLine(await runCli(['validate', 'kind.yaml'], dir), message);
    const before = server.requests;
    expectOneLine(await runCli(['run', 'kind.yaml', '--dry-run'], dir), message);
    expectOneLine(await runCli(['run', 'kind.yaml', '--yes', '--quiet', '--journal', 'j.json'], dir), message);
    expect(server.requests).toBe(before);
  });
});

describe('every process activity needs --yes, wherever it is', () => {
  const marker = (): string => join(dir, `marker-${Math.random().toString(36).slice(2)}`);
  it.each<[string, (m: string) => string, RegExp]>([
    [
      'in the method',
      (m) => experiment({ method: [action('mark', touch(m))] }),
      /runs processes, which can do anything \(touch in "mark"\)/,
    ],
    [
      'in the rollbacks',
      (m) => experiment({ method: [probe('page', fault('http:get', '{path: /}'))], rollbacks: [action('undo', touch(m))] }),
      /runs processes, which can do anything \(touch in "undo"\)/,
    ],
    [
      'in a steady-state probe',
      (m) => experiment({ hypothesis: [probe('look', touch(m), '0')], method: [probe('page', fault('http:get', '{path: /}'))] }),
      /runs processes, which can do anything \(touch in "look"\)/,
    ],
    [
      'in a tolerance probe',
      (m) => experiment({ method: [probe('page', fault('http:get', '{path: /}'), `{type: probe, name: judge, provider: ${touch(m)}}`)] }),
      /runs processes, which can do anything \(touch in "judge"\)/,
    ],
    [
      'beside a destructive fault',
      (m) => experiment({ method: [action('stop', fault('swarm:stop-task')), action('mark', touch(m))] }),
      /injects destructive faults \(swarm:stop-task in "stop"\) and runs processes, which can do anything \(touch in "mark"\)/,
    ],
  ])('%s', async (_name, text, message) => {
    const m = marker();
    await write('proc.yaml', text(m));
    expectOneLine(await runCli(['run', 'proc.yaml', '--quiet'], dir), new RegExp(`^chaos: proc\\.yaml ${message.source}; add --yes`));
    expect(existsSync(m)).toBe(false);
    const plan = await runCli(['run', 'proc.yaml', '--dry-run'], dir);
    expect(plan.code).toBe(0);
    // The plan marks the activities it lists; a tolerance probe shows as the tolerance it is.
    expect(plan.stdout).toContain(_name === 'in a tolerance probe' ? m : `touch ${m} (no shell) [needs --yes]`);
    expect(existsSync(m)).toBe(false);
  });

  it('GIVEN --yes THEN the process runs', async () => {
    const m = marker();
    await write('proc.yaml', experiment({ method: [action('mark', touch(m))] }));
    const result = await runCli(['run', 'proc.yaml', '--yes', '--quiet', '--journal', 'p.json'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(m)).toBe(true);
  });
});

describe('validate checks every file: one line each, exit 2 when any is bad', () => {
  it('GIVEN good and bad files THEN each has its line, in order', async () => {
    const good = await write('v-good.yaml', experiment({ method: [probe('page', fault('http:get', '{path: /}'))] }));
    await write('v-malformed.yaml', 'title: [unclosed\n');
    await write('v-kind.yaml', experiment({ method: [action('stable', fault('ecs:service-stable'))] }));
    const result = await runCli(['validate', good, 'v-malformed.yaml', 'v-missing.yaml', 'v-kind.yaml', good], dir);
    expect(result.code).toBe(2);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual(['ok v-good.yaml: "x" (1 activities)', 'ok v-good.yaml: "x" (1 activities)']);
    const errors = result.stderr.split('\n').filter(Boolean);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/^chaos: v-malformed\.yaml: line \d+, column \d+: is not valid YAML\/JSON/);
    expect(errors[1]).toBe('chaos: v-missing.yaml: no such file');
    expect(errors[2]).toMatch(/^chaos: v-kind\.yaml: method\[0\]\.provider\.id: ecs:service-stable is a probe/);
  });

  it('GIVEN --outputs THEN every file is checked against the target too; all good: exit 0', async () => {
    const good = await write('t-good.yaml', experiment({ method: [action('stop', fault('swarm:stop-task'))] }));
    const aimed = await write('t-aws-only.yaml', experiment({ method: [action('drain', fault('ecs:drain-instance', '{}'))] }));
    const checked = await runCli(['validate', aimed, good, aimed, '--outputs', 'outputs.json'], dir);
    expect(checked.code).toBe(2);
    expect(checked.stdout).toBe('ok t-good.yaml: "x" (1 activities)\n');
    expect(checked.stderr.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^chaos: t-aws-only\.yaml: method\[0\]\.provider\.id: ecs:drain-instance is not available on the local target/),
      expect.stringMatching(/^chaos: t-aws-only\.yaml: /),
    ]);
    const allGood = await runCli(['validate', good, good, '--outputs', 'outputs.json'], dir);
    expect(allGood).toMatchObject({ code: 0, stderr: '' });
  });
});
