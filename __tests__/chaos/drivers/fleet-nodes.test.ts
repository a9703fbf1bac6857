/**
 * The instance faults on the multi-node rehearsal: node-control run over the host port (faked at
 * the HostCommands boundary, answering as the rehearsal's script prints), the swarm manager's
 * docker CLI recorded. Command words, the JSON evidence, the node chosen, the refusals, the undo.
 */
import { asgGroupHealthy } from '../../../chaos/drivers/asg/group-healthy';
import { ec2TerminateInstance } from '../../../chaos/drivers/ec2/terminate-instance';
import { ecsDrainInstance } from '../../../chaos/drivers/ecs/drain-instance';
import { KILL_WATCHDOG_WORDS, netCutZone, ZONE_WATCHDOG_TAG } from '../../../chaos/drivers/net/cut-zone';
import { nodeControlFleet, parseNodeControl } from '../../../chaos/adapters/swarm/node-control';
import type { FleetNode, HostAccess } from '../../../chaos/faults/ports';
import { commandLine } from '../../../chaos/faults/command-words';
import { localOutputsSchema } from '../../../contract/outputs';
import { z } from 'zod';
import { withHost } from '../helpers/recording-host';
import { contextFor, rollbackFault, runFault, targetFor } from './support/context';
import { RecordedDocker } from './support/recorded-docker';
import { testOutputs } from './support/outputs';

const NODE_CONTROL = ['/repo/.rehearsal/node-control'];
const NODES = [
  { name: 'node-1', zone: 'zone-a', address: '10.210.0.11' },
  { name: 'node-2', zone: 'zone-b', address: '10.210.0.12' },
  { name: 'node-3', zone: 'zone-a', address: '10.210.0.13' },
];
const ID = (i: number): string => `n0de${i}abcdefghijklmnopqrstu`.slice(0, 25);
const multi = () => testOutputs({ nodes: NODES, nodeControl: NODE_CONTROL });

function node(i: number, overrides: Partial<FleetNode> = {}): FleetNode {
  const n = NODES[i - 1] as (typeof NODES)[number];
  return {
    ...n,
    engine: 'running',
    swarmNodeId: ID(i),
    swarmState: 'ready',
    availability: 'active',
    link: 'up',
    replacements: 0,
    ...overrides,
  };
}

/** A host answering node-control as the rehearsal's script does; `status` from a list that may change. */
function fleetHost(statuses: FleetNode[][], exitCodes: Record<string, number> = {}) {
  const commands: string[][] = [];
  let looks = 0;
  const host: HostAccess = {
    name: 'ssh',
    where: 'root@127.0.0.1:2222',
    host: '127.0.0.1',
    withSession: (_o, _s, fn) =>
      fn({
        async exec(words) {
          commands.push([...words]);
          const [first, sub, arg] = words;
          let stdout = '';
          if (first === NODE_CONTROL[0]) {
            if (sub === 'status') stdout = JSON.stringify({ nodes: statuses[Math.min(looks++, statuses.length - 1)] });
            if (sub === 'terminate')
              stdout = `killing\n${JSON.stringify({ node: arg, killedPids: [4242, 4243], at: '2026-12-01T15:00:00Z' })}\n`;
            const zoneNodes = NODES.filter((n) => n.zone === arg).map((n) => n.name);
            const state = sub === 'cut-zone' ? 'down' : 'up';
            if (sub === 'cut-zone' || sub === 'restore-zone')
              stdout = JSON.stringify({ zone: arg, nodes: zoneNodes, links: zoneNodes.map((n) => ({ name: `veth-${n}`, state })) });
          } else if (words[2]?.includes('setsid')) stdout = 'pid 777\n';
          return { command: commandLine(words), code: exitCodes[sub ?? ''] ?? 0, stdout, stderr: '' };
        },
      }),
    httpGet: () => Promise.reject(new Error('no HTTP')),
  };
  return { host, commands, nodeControl: () => commands.filter((c) => c[0] === NODE_CONTROL[0]).map((c) => c.slice(1)) };
}

/** The bound target, its host port the fake and its nodes port node-control over that fake host. */
function withFleet<C extends ReturnType<typeof contextFor>>(ctx: C, host: HostAccess, docker: RecordedDocker): C {
  const inner = withHost(ctx, host);
  const fleet = ctx.outputs.target === 'local' ? nodeControlFleet(ctx.outputs, host, () => docker) : null;
  return { ...inner, use: (port) => (port === 'nodes' && fleet !== null ? fleet : inner.use(port)) } as C;
}

const ctxWith = (fake: ReturnType<typeof fleetHost>, docker = new RecordedDocker()) =>
  withFleet(contextFor(multi(), { docker: () => docker }), fake.host, docker);

describe('the outputs contract: nodes and nodeControl', () => {
  it('accepts the brief shape, and refuses bad names, addresses and words', () => {
    expect(localOutputsSchema.safeParse(multi()).success).toBe(true);
    expect(localOutputsSchema.safeParse({ ...multi(), nodes: [{ ...NODES[0], name: 'node-10' }] }).success).toBe(false);
    expect(localOutputsSchema.safeParse({ ...multi(), nodes: [{ ...NODES[0], address: '10.210.0' }] }).success).toBe(false);
    expect(localOutputsSchema.safeParse({ ...multi(), nodeControl: ['/x; reboot'] }).success).toBe(false);
    expect(localOutputsSchema.safeParse({ ...multi(), nodes: [] }).success).toBe(false);
  });

  it('binds the nodes port only with both fields', () => {
    expect(targetFor(multi()).adapters).toMatchObject({ nodes: 'node-control' });
    expect(targetFor(testOutputs({ nodes: NODES })).adapters).toMatchObject({ nodes: null });
    expect(targetFor(testOutputs()).refusal('net:cut-zone', netCutZone.requires)).toMatch(/--nodes 3/);
  });
});

describe('node-control JSON', () => {
  const schema = z.looseObject({ node: z.string() });
  it('takes the one object, or the last line after noise', () => {
    expect(parseNodeControl(schema, '{"node":"node-1"}\n', 'x')).toEqual({ node: 'node-1' });
    expect(parseNodeControl(schema, 'warming up\n{"node":"node-2"}', 'x')).toEqual({ node: 'node-2' });
  });
  it('fails on no JSON, or JSON of another shape, quoting it', () => {
    expect(() => parseNodeControl(schema, 'usage: node-control …', 'node-control status')).toThrow(/printed no JSON object: "usage/);
    expect(() => parseNodeControl(schema, '{"nodes":1}', 'node-control status')).toThrow(/unexpected shape \(node: /);
  });
});

describe('ec2:terminate-instance on the multi-node rehearsal', () => {
  it('default: the first ready node; node-control terminate over the host; the JSON it printed is the evidence', async () => {
    const fake = fleetHost([[node(1, { link: 'down' }), node(2), node(3)]]);
    const ctx = ctxWith(fake);
    const result = await runFault(ec2TerminateInstance, {}, ctx);
    expect(fake.nodeControl()).toEqual([['status'], ['terminate', 'node-2']]);
    expect(result).toMatchObject({
      node: 'node-2',
      zone: 'zone-b',
      swarmNodeId: ID(2),
      nodeControl: { node: 'node-2', killedPids: [4242, 4243] },
    });
    expect(ctx.record.lastStopped('instance', 'rehearsal-node')).toMatchObject({
      id: 'node-2',
      node: { swarmNodeId: ID(2), replacements: 0 },
    });
  });

  it("a named node; refused when it is not ready, unknown, or of the other target's form", async () => {
    const fake = fleetHost([[node(1), node(2), node(3)]]);
    await runFault(ec2TerminateInstance, { instance: 'node-3' }, ctxWith(fake));
    expect(fake.nodeControl()).toEqual([['status'], ['terminate', 'node-3']]);

    const gone = fleetHost([[node(1), node(2, { engine: 'gone' }), node(3)]]);
    await expect(runFault(ec2TerminateInstance, { instance: 'node-2' }, ctxWith(gone))).rejects.toThrow(
      /node-2 is not ready to terminate: .*engine gone/,
    );
    expect(gone.nodeControl()).toEqual([['status']]);

    const unknown = fleetHost([[node(1), node(2), node(3)]]);
    await expect(runFault(ec2TerminateInstance, { instance: 'node-7' }, ctxWith(unknown))).rejects.toThrow(
      /outside the blast radius: node "node-7" is not named in the outputs/,
    );
    expect(unknown.nodeControl()).toEqual([['status']]);

    const wrong = fleetHost([[node(1)]]);
    await expect(runFault(ec2TerminateInstance, { instance: 'i-0abc1234def567890' }, ctxWith(wrong))).rejects.toThrow(
      /is an EC2 instance id, but the target is local/,
    );
    expect(wrong.commands).toEqual([]);
  });

  it('node-control failing: the activity fails with its exit and output', async () => {
    const fake = fleetHost([[node(1), node(2), node(3)]], { terminate: 1 });
    await expect(runFault(ec2TerminateInstance, {}, ctxWith(fake))).rejects.toThrow(/node-control terminate node-1 on .* exited with 1/);
  });

  it('the single-node rehearsal is refused, naming --nodes 3', () => {
    expect(targetFor(testOutputs()).refusal(ec2TerminateInstance.id, ec2TerminateInstance.requires)).toMatch(
      /single-node rehearsal.*npm run rehearsal:up -- --nodes 3/,
    );
  });

  it('the dry run names the command', () => {
    const bound = ec2TerminateInstance.bind({ instance: 'node-2' });
    if (!bound.ok) throw new Error('bad arguments');
    expect(bound.bound.describe(targetFor(multi()))).toMatch(/\/repo\/.rehearsal\/node-control terminate node-2/);
    const first = ec2TerminateInstance.bind({});
    if (!first.ok) throw new Error('bad arguments');
    expect(first.bound.describe(targetFor(multi()))).toMatch(
      /node-control terminate '<node>' \(SIGKILL every process of the first ready node/,
    );
  });
});

describe('asg:group-healthy on the multi-node rehearsal', () => {
  it('healthy when every node runs, is ready, active and linked', async () => {
    const result = await runFault(asgGroupHealthy, {}, ctxWith(fleetHost([[node(1), node(2), node(3)]])));
    expect(result).toMatchObject({ healthy: true, desired: 3, ready: ['node-1', 'node-2', 'node-3'] });
  });

  it('names each node that is not, and a node missing from the status', async () => {
    const result = await runFault(
      asgGroupHealthy,
      {},
      ctxWith(fleetHost([[node(1, { availability: 'drain' }), node(2, { engine: 'gone', swarmState: 'down', link: 'down' })]])),
    );
    expect(result).toMatchObject({ healthy: false });
    expect((result as { reason: string }).reason).toBe(
      'node-1: availability drain; node-2: engine gone, swarm down, link down; node-3 missing from node-control status',
    );
  });

  it("a node out of the load balancer's service (as an instance failing its target group check) is unhealthy; an older status without the field is judged without it", async () => {
    const out = await runFault(
      asgGroupHealthy,
      {},
      ctxWith(
        fleetHost([
          [node(1, { loadBalancer: 'in-service' }), node(2, { loadBalancer: 'out-of-service' }), node(3, { loadBalancer: 'unknown' })],
        ]),
      ),
    );
    expect(out).toMatchObject({ healthy: false });
    expect((out as { reason: string }).reason).toBe('node-2: load balancer target out-of-service; node-3: load balancer target unknown');
    expect(await runFault(asgGroupHealthy, {}, ctxWith(fleetHost([[node(1), node(2), node(3)]])))).toMatchObject({ healthy: true });
  });

  it('after a terminate: unhealthy until the slot is replaced (a new swarm node id or one more replacement)', async () => {
    const fake = fleetHost([
      [node(1), node(2), node(3)],
      [node(1, { engine: 'running' }), node(2), node(3)],
      [node(1, { replacements: 1 }), node(2), node(3)],
    ]);
    const ctx = ctxWith(fake);
    await runFault(ec2TerminateInstance, {}, ctx);
    // The stand-in group has not replaced it yet (same id, same count): not healthy.
    expect(await runFault(asgGroupHealthy, {}, ctx)).toMatchObject({
      healthy: false,
      terminatedNode: 'node-1',
      replaced: false,
      reason: 'the terminated node node-1 has not been replaced yet',
    });
    expect(await runFault(asgGroupHealthy, {}, ctx)).toMatchObject({ healthy: true, replaced: true });
  });
});

describe('ecs:drain-instance on the multi-node rehearsal', () => {
  const taskLine = (id: string, name: string, current: string) =>
    JSON.stringify({ ID: id, Name: name, DesiredState: 'Running', CurrentState: current, Node: 'node-1' });
  const T1 = 'aaaaaaaaaaaaaaaaaaaaaaaa1';
  const T2 = 'aaaaaaaaaaaaaaaaaaaaaaaa2';

  it('drains through the manager, lists the tasks before and after, and sets it active again after revertAfterSeconds', async () => {
    let ps = 0;
    const docker = new RecordedDocker()
      .on(['node', 'update'], '')
      .on(['node', 'ps'], () =>
        ps++ === 0
          ? [taskLine(T1, 'platform-test-api.x', 'Running 5 minutes ago'), taskLine(T2, 'platform-test-proxy.x', 'Running')].join('\n')
          : '',
      );
    const fake = fleetHost([[node(1), node(2), node(3)]]);
    const result = await runFault(ecsDrainInstance, { revertAfterSeconds: 1 }, ctxWith(fake, docker));
    expect(docker.calls.filter((c) => c[1] === 'update')).toEqual([
      ['node', 'update', '--availability', 'drain', ID(1)],
      ['node', 'update', '--availability', 'active', ID(1)],
    ]);
    expect(docker.calls.find((c) => c[1] === 'ps')).toEqual([
      'node',
      'ps',
      '--no-trunc',
      '--filter',
      'desired-state=running',
      '--format',
      '{{json .}}',
      ID(1),
    ]);
    expect(result).toMatchObject({
      node: 'node-1',
      swarmNodeId: ID(1),
      availability: 'active',
      drainedForSeconds: 1,
      tasksAfter: [],
    });
    expect((result as { tasksBefore: unknown[] }).tasksBefore).toHaveLength(2);
    expect((result as { emptyAfterMs: number }).emptyAfterMs).toBeGreaterThanOrEqual(0);
  });

  it('rollback: active again for the node the run drained, or every drained node when the run left no result', async () => {
    const docker = new RecordedDocker().on(['node', 'update'], '');
    const fake = fleetHost([[node(1), node(2, { availability: 'drain' }), node(3, { availability: 'drain' })]]);
    const ctx = ctxWith(fake, docker);
    await rollbackFault(ecsDrainInstance, {}, ctx, { node: 'node-1', swarmNodeId: ID(1), availability: 'drain' });
    const undone = await rollbackFault(ecsDrainInstance, {}, ctx, null);
    expect(docker.calls).toEqual([
      ['node', 'update', '--availability', 'active', ID(1)],
      ['node', 'update', '--availability', 'active', ID(2)],
      ['node', 'update', '--availability', 'active', ID(3)],
    ]);
    expect(undone).toMatchObject({ nodes: [{ node: 'node-2' }, { node: 'node-3' }], availability: 'active' });
  });

  it('a swarm node id of the wrong form never reaches docker', async () => {
    const docker = new RecordedDocker();
    const fake = fleetHost([[node(1, { swarmNodeId: '--force' })]]);
    await expect(runFault(ecsDrainInstance, {}, ctxWith(fake, docker))).rejects.toThrow(/refused swarm node id "--force"/);
    expect(docker.calls).toEqual([]);
  });
});

describe('net:cut-zone', () => {
  it('starts a watchdog, cuts, holds, restores and stops the watchdog; evidence: links down then up', async () => {
    const fake = fleetHost([[node(1), node(2), node(3)]]);
    const result = await runFault(netCutZone, { zone: 'zone-a', durationSeconds: 1 }, ctxWith(fake));
    expect(fake.nodeControl()).toEqual([
      ['cut-zone', 'zone-a'],
      ['restore-zone', 'zone-a'],
    ]);
    const watchdog = fake.commands[0] as string[];
    expect(watchdog).toContain(ZONE_WATCHDOG_TAG);
    expect(watchdog.slice(-4)).toEqual(['16', NODE_CONTROL[0], 'restore-zone', 'zone-a']);
    expect(fake.commands[fake.commands.length - 1]).toEqual([...KILL_WATCHDOG_WORDS]);
    expect(result).toMatchObject({
      zone: 'zone-a',
      nodes: ['node-1', 'node-3'],
      linksDown: {
        links: [
          { name: 'veth-node-1', state: 'down' },
          { name: 'veth-node-3', state: 'down' },
        ],
      },
      linksUp: { links: [{ state: 'up' }, { state: 'up' }] },
    });
    expect((result as { heldSeconds: number }).heldSeconds).toBeGreaterThanOrEqual(1);
  });

  it('interrupted mid-hold: restored at once, the interruption let through', async () => {
    const fake = fleetHost([[node(1)]]);
    const controller = new AbortController();
    const ctx = withFleet(contextFor(multi(), {}, controller.signal), fake.host, new RecordedDocker());
    setTimeout(() => controller.abort(new Error('SIGINT')), 100);
    await expect(runFault(netCutZone, { zone: 'zone-b', durationSeconds: 60 }, ctx)).rejects.toThrow('SIGINT');
    expect(fake.nodeControl()).toEqual([
      ['cut-zone', 'zone-b'],
      ['restore-zone', 'zone-b'],
    ]);
  });

  it('the rollback restores (idempotent, needs no run result: chaos rollback of a killed run)', async () => {
    const fake = fleetHost([[node(1)]]);
    expect(await rollbackFault(netCutZone, { zone: 'zone-a' }, ctxWith(fake), null)).toMatchObject({ zone: 'zone-a', watchdogsStopped: 0 });
    expect(fake.nodeControl()).toEqual([['restore-zone', 'zone-a']]);
  });

  it('refused: a zone holding no node, the only zone, the single-node rehearsal, AWS', async () => {
    const fake = fleetHost([[node(1)]]);
    await expect(runFault(netCutZone, { zone: 'zone-c' }, ctxWith(fake))).rejects.toThrow(/zone "zone-c" holds no node of the outputs/);
    const oneZone = withFleet(
      contextFor(testOutputs({ nodes: [NODES[0] as (typeof NODES)[number]], nodeControl: NODE_CONTROL })),
      fake.host,
      new RecordedDocker(),
    );
    await expect(runFault(netCutZone, { zone: 'zone-a' }, oneZone)).rejects.toThrow(/only zone/);
    expect(fake.commands).toEqual([]);
    expect(netCutZone.bind({ zone: 'a; reboot' }).ok).toBe(false);
    const aws = targetFor({ ...testOutputs(), target: 'aws', hostAccess: 'ssh' });
    expect(aws.refusal(netCutZone.id, netCutZone.requires)).toMatch(/not available on the aws target: .*network ACL swap or AWS FIS/);
  });
});
