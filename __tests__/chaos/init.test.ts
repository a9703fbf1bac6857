import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { execCli, REPO, runCli } from './helpers/cli-harness';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-init-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

interface Starter {
  readonly title: string;
  readonly description: string;
  readonly 'steady-state-hypothesis': { probes: { name: string; provider: { id: string; arguments: Record<string, unknown> } }[] };
  readonly method: { type: string; provider: { id: string; arguments: { service: string } } }[];
  readonly recovery: { within: number; availability: { probe: string; min?: number; rate: number }[] };
  readonly 'rollback-strategy': string;
}

const outputs = join(REPO, '__tests__', 'chaos', 'fixtures', 'outputs-aws.json');

describe('chaos init: a starter experiment for this stack', () => {
  const cases = [
    ['api', 'ecs:stop-task', 100],
    ['frontend', 'ecs:stop-task', 100],
    ['proxy', 'ecs:stop-task', undefined],
    ['api', 'ssh:docker-stop', 100],
    ['proxy', 'ssh:docker-stop', undefined],
  ] as const;

  it.each(cases)(
    'GIVEN --service %s --fault %s THEN the file validates, dry-runs against the outputs and has every part (availability min %s)',
    async (service, fault, min) => {
      const file = `${service}-${fault.replace(':', '-')}.yaml`;
      const written = await runCli(['init', file, '--service', service, '--fault', fault], dir);
      expect(written).toMatchObject({ code: 0, stderr: '' });
      expect(written.stdout).toMatch(new RegExp(`^wrote ${file}: ${fault} on the ${service}; next: npx chaos validate ${file}`));

      const validated = await runCli(['validate', file], dir, {});
      expect(validated).toMatchObject({ code: 0, stderr: '' });
      expect(validated.stdout).toMatch(/^ok /);
      const planned = await runCli(['run', file, '--outputs', outputs, '--dry-run'], dir, {});
      expect(planned).toMatchObject({ code: 0, stderr: '' });
      expect(planned.stdout).toContain(
        `action "${fault === 'ecs:stop-task' ? `stop-${service}-task` : `docker-stop-${service}`}": ${fault}`,
      );

      const text = await readFile(join(dir, file), 'utf8');
      const schema = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text)?.[1];
      expect(schema).toBeDefined();
      expect(resolve(dir, schema ?? '')).toBe(join(REPO, 'chaos', 'schema', 'experiment.schema.json'));
      const starter = parse(text) as Starter;
      expect(starter.description.length).toBeGreaterThan(0);
      const probes = starter['steady-state-hypothesis'].probes;
      expect(probes.filter((p) => p.provider.id === 'http:get').map((p) => p.provider.arguments.path)).toEqual(['/', '/api/status']);
      expect(probes.filter((p) => p.provider.id === 'ecs:service-stable').map((p) => p.provider.arguments.service)).toHaveLength(3);
      expect(starter.method).toEqual([expect.objectContaining({ type: 'action', provider: expect.objectContaining({ id: fault }) })]);
      expect(starter.method[0]?.provider.arguments.service).toBe(service);
      expect(starter.recovery.within).toBe(60);
      expect(starter.recovery.availability.map((a) => [a.probe, a.min, a.rate])).toEqual([
        ['frontend-through-proxy', min, 20],
        ['api-through-proxy', min, 20],
      ]);
      expect(starter['rollback-strategy']).toBe('always');
      expect(text.split('\n').every((line) => line.length <= 140)).toBe(true);
    },
  );

  it('GIVEN no file and no options THEN it writes experiment.yaml: ecs:stop-task on the api', async () => {
    const sub = join(dir, 'defaults');
    await mkdir(sub);
    const written = await runCli(['init'], sub);
    expect(written.code).toBe(0);
    const starter = parse(await readFile(join(sub, 'experiment.yaml'), 'utf8')) as Starter;
    expect(starter.method[0]?.provider).toMatchObject({ id: 'ecs:stop-task', arguments: { service: 'api' } });
  });

  it('GIVEN a file inside the repository THEN the $schema comment is relative, as in the shipped experiments', async () => {
    const sub = await mkdtemp(join(REPO, '.init-test-'));
    try {
      expect((await runCli(['init', 'nested.yaml'], sub)).code).toBe(0);
      const text = await readFile(join(sub, 'nested.yaml'), 'utf8');
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../chaos/schema/experiment.schema.json');
    } finally {
      await rm(sub, { recursive: true, force: true });
    }
  });

  it('GIVEN an existing file THEN it is refused without --force (exit 2, one line, file untouched) and replaced with it', async () => {
    await writeFile(join(dir, 'mine.yaml'), 'my own work\n');
    const refused = await runCli(['init', 'mine.yaml'], dir);
    expect(refused).toEqual({ code: 2, stdout: '', stderr: 'chaos: mine.yaml already exists: add --force to replace it\n' });
    expect(await readFile(join(dir, 'mine.yaml'), 'utf8')).toBe('my own work\n');
    expect((await runCli(['init', 'mine.yaml', '--force', '--service', 'frontend'], dir)).code).toBe(0);
    expect(await readFile(join(dir, 'mine.yaml'), 'utf8')).toContain("id: 'ecs:stop-task', arguments: { service: frontend");
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it.each([
    [['init', 'x.json'], /^chaos: x\.json: init writes YAML \(with comments\): name the file \.yaml or \.yml\n$/],
    [['init', 'missing/x.yaml'], /^chaos: missing\/x\.yaml: the directory missing does not exist: create it first\n$/],
    [
      ['init', '--service', 'db'],
      /^chaos: option '--service <service>' argument 'db' is invalid\. Allowed choices are frontend, api, proxy\./,
    ],
    [['init', '--fault', 'ecs:drain-instance'], /^chaos: option '--fault <fault>' argument 'ecs:drain-instance' is invalid/],
  ])('GIVEN %j THEN exit 2 with one line and nothing written', async (argv, message) => {
    const before = readdirSync(dir).sort();
    const result = await runCli(argv, dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('GIVEN init --help THEN it teaches with examples that name its options and the real stack', async () => {
    const help = await runCli(['init', '--help'], dir);
    expect(help.code).toBe(0);
    const examples = help.stdout.split('\n').filter((line) => line.startsWith('  $ npx chaos init'));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    expect(help.stdout).toMatch(/--service <service>[^]*choices: "frontend", "api",\s+"proxy"/);
    expect(help.stdout).toContain('--fault ssh:docker-stop');
    expect(help.stdout).toContain('--force');
    expect(help.stdout).toContain('--stack dev');
  });

  it('GIVEN the bin as a child process THEN init then validate succeed from another directory', async () => {
    const sub = join(dir, 'bin');
    await mkdir(sub);
    const written = await execCli(['init', 'exp.yaml', '--service', 'frontend'], sub);
    expect(written).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(sub, 'exp.yaml'))).toBe(true);
    expect(dirname(join(sub, 'exp.yaml'))).toBe(sub);
    const validated = await execCli(['validate', 'exp.yaml'], sub);
    expect(validated).toMatchObject({ code: 0, stderr: '' });
  }, 60_000);
});
