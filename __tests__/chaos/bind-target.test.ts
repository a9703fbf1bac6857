import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_CATALOG } from '../../chaos/drivers';
import { bindTarget } from '../../chaos/targets/bind-target';
import { runCli, REPO } from './helpers/cli-harness';
import { noClients } from './helpers/driver-context';
import { outputsFor } from './helpers/outputs-fixture';
import { awsOutputs } from './drivers/support/outputs';

const requiresOf = (id: string) => {
  const fault = FAULT_CATALOG.get(id);
  if (fault === undefined) throw new Error(`no fault ${id}`);
  return fault.requires;
};

describe('binding a target to its adapters (the one place that decides)', () => {
  const local = bindTarget(outputsFor('http://127.0.0.1:1'), { clients: noClients });
  const aws = bindTarget(awsOutputs(), { clients: noClients });

  it('names the adapter serving each port, for the journal', () => {
    expect(local.adapters).toEqual({ target: 'local', orchestrator: 'swarm', host: 'ssh', aws: null, nodes: null, dockerHost: null });
    expect(aws.adapters).toEqual({ target: 'aws', orchestrator: 'ecs', host: 'ssh', aws: 'aws', nodes: null, region: 'us-east-1' });
  });

  it.each<[string, 'local' | 'aws', RegExp | null]>([
    ['ecs:stop-task', 'local', null],
    ['ecs:stop-task', 'aws', null],
    ['ssh:docker-stop', 'local', null],
    ['ssh:docker-stop', 'aws', null],
    ['swarm:stop-task', 'local', null],
    ['swarm:stop-task', 'aws', /^swarm:stop-task is not available on the aws target: it acts on the local rehearsal's swarm/],
    [
      'ecs:drain-instance',
      'local',
      /^ecs:drain-instance is not available on the local target: the outputs are of the single-node rehearsal .*`npm run rehearsal:up -- --nodes 3`/,
    ],
    ['ecs:scale-service', 'local', /not available on the local target: the rehearsal runs in host networking/],
    ['ec2:terminate-instance', 'local', /not available on the local target: the outputs are of the single-node rehearsal .*--nodes 3/],
    ['asg:group-healthy', 'local', /^asg:group-healthy is not available on the local target/],
    ['ec2:terminate-instance', 'aws', null],
  ])('%s on the %s target', (id, where, refused) => {
    const verdict = (where === 'local' ? local : aws).refusal(id, requiresOf(id));
    if (refused === null) expect(verdict).toBeNull();
    else expect(verdict).toMatch(refused);
  });

  it("every fault module declares the ports it uses, except the plain HTTP ones (sent from the runner's machine)", () => {
    const without = [...FAULT_CATALOG.values()].filter((f) => f.requires.length === 0).map((f) => f.id);
    expect(without).toEqual(['http:get', 'http:load']);
  });
});

describe('a fault the target cannot serve is refused before anything runs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaos-bind-'));
    await writeFile(join(dir, 'outputs.json'), JSON.stringify(outputsFor('http://127.0.0.1:1')));
  });
  const experiment = join(REPO, 'chaos', 'experiments', 'terminate-instance.yaml');

  it.each<[string, string[]]>([
    ['validate --outputs', ['validate', experiment, '--outputs', 'outputs.json']],
    ['run --dry-run', ['run', experiment, '--outputs', 'outputs.json', '--dry-run']],
    ['run --yes', ['run', experiment, '--outputs', 'outputs.json', '--yes']],
  ])('%s: exit 2, one line naming the fault, the target and why', async (_name, argv) => {
    const result = await runCli(argv, dir);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /terminate-instance\.yaml: steady-state-hypothesis\.probes\[0\]\.provider\.id: asg:group-healthy is not available on the local target: .*--nodes 3/,
    );
    expect(result.stdout).toBe('');
  });
});

describe('the multi-node rehearsal serves the instance and zone experiments', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaos-bind-nodes-'));
    const nodes = [
      { name: 'node-1', zone: 'zone-a', address: '10.210.0.11' },
      { name: 'node-2', zone: 'zone-b', address: '10.210.0.12' },
      { name: 'node-3', zone: 'zone-a', address: '10.210.0.13' },
    ];
    await writeFile(
      join(dir, 'outputs.json'),
      JSON.stringify({ ...outputsFor('http://127.0.0.1:1'), nodes, nodeControl: ['/repo/.rehearsal/node-control'] }),
    );
  });

  it.each(['experiments/terminate-instance.yaml', 'experiments/drain-instance.yaml', 'experiments-local/zone-loss.yaml'])(
    'validate --outputs %s: bound, exit 0',
    async (file) => {
      const result = await runCli(['validate', join(REPO, 'chaos', file), '--outputs', 'outputs.json'], dir);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
  );

  it('run --dry-run of zone-loss names node-control and the restore', async () => {
    const result = await runCli(
      ['run', join(REPO, 'chaos/experiments-local/zone-loss.yaml'), '--outputs', 'outputs.json', '--dry-run'],
      dir,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/node-control cut-zone zone-a .*then \/repo\/.rehearsal\/node-control restore-zone zone-a/);
  });
});
