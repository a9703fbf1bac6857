/**
 * End to end: the multi-node rehearsal (`rehearsal up --nodes 3`). Self-contained: the global
 * setup leaves the single-node rehearsal up, so this file takes it down first, brings the three
 * nodes up, and takes everything down at the end (the next file's own `up` brings the single-node
 * one back). Measures availability through the stand-in load balancer (a sampler at ~20/s) and
 * the time to recover for each fault, and prints them.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { platformOutputsSchema } from '../../contract/outputs';
import { httpGet } from '../../rehearsal/http-check';
import { fleetFiles, nodeFiles, nodeSlots } from '../../rehearsal/nodes';
import { loadSettings, rehearsalFiles } from '../../rehearsal/settings';
import { rehearsalCopies } from '../../rehearsal/stack-file';
import { REPO_ROOT, runRehearsal } from './support/rehearsal-cli';
import { Sampler } from './support/sampler';

const settings = loadSettings(REPO_ROOT, { ...process.env, REHEARSAL_DOMAIN: '', REHEARSAL_ACME_DIRECTORY: '', REHEARSAL_ACME_CA: '' });
const slots = nodeSlots(3);
const NLB = `http://127.0.0.1:${settings.proxyPort}`;
const COPIES = rehearsalCopies().length;

function sh(command: string, args: readonly string[], env: Record<string, string> = {}): string {
  return execFileSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 }).trim();
}

/** The same, without blocking the event loop: the sampler keeps its ~20/s while the test polls. */
async function shAsync(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)(command, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return stdout.trim();
}

function managerHost(): string {
  const state = JSON.parse(readFileSync(rehearsalFiles(settings).state, 'utf8')) as { dockerHost: string };
  return state.dockerHost;
}

/** Healthy stack containers on one node's engine. */
async function healthyOn(name: string): Promise<number> {
  const slot = slots.find((s) => s.name === name);
  if (slot === undefined) throw new Error(name);
  try {
    const out = await shAsync('docker', ['ps', '--filter', 'label=com.docker.stack.namespace=platform-local', '--format', '{{.Status}}'], {
      DOCKER_HOST: `unix://${nodeFiles(settings, slot).socket}`,
    });
    return out.split('\n').filter((l) => l.includes('(healthy)')).length;
  } catch {
    return 0;
  }
}

async function nodeControl(...args: string[]): Promise<Record<string, unknown>> {
  return JSON.parse(await shAsync(`${REPO_ROOT}/.rehearsal/node-control`, args)) as Record<string, unknown>;
}

interface NodeStatus {
  name: string;
  engine: string;
  swarmNodeId: string;
  swarmState: string;
  availability: string;
  link: string;
  replacements: number;
}
const status = async (): Promise<NodeStatus[]> => ((await nodeControl('status')) as { nodes: NodeStatus[] }).nodes;
const nodeStatus = async (name: string): Promise<NodeStatus | undefined> => (await status()).find((n) => n.name === name);

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
}

const figures: Record<string, unknown> = {};

beforeAll(async () => {
  const down = await runRehearsal(['down']);
  expect(down.code).toBe(0);
  const up = await runRehearsal(['up', '--nodes', '3'], { REHEARSAL_DOMAIN: '', REHEARSAL_ACME_DIRECTORY: '', REHEARSAL_ACME_CA: '' });
  expect(up.code).toBe(0);
  figures.upMs = up.ms;
});

afterAll(async () => {
  process.stdout.write(`\nmulti-node figures: ${JSON.stringify(figures)}\n`);
});

describe('rehearsal up --nodes 3', () => {
  test('outputs name the nodes and node-control, valid by the contract', () => {
    const outputs = platformOutputsSchema.parse(JSON.parse(readFileSync(rehearsalFiles(settings).outputs, 'utf8')));
    expect(outputs.target).toBe('local');
    if (outputs.target !== 'local') return;
    expect(outputs.nodes).toEqual(slots.map((s) => ({ name: s.name, zone: s.zone, address: s.address })));
    expect(outputs.nodeControl).toEqual([`${REPO_ROOT}/.rehearsal/node-control`]);
  });

  test('every node runs the proxy and every copy, healthy; the manager runs none and is drained', async () => {
    for (const slot of slots) expect(await healthyOn(slot.name)).toBe(COPIES);
    const nodes = sh('docker', ['node', 'ls', '--format', '{{.Hostname}} {{.Availability}} {{.ManagerStatus}}'], {
      DOCKER_HOST: managerHost(),
    });
    expect(nodes).toMatch(/ Drain Leader/);
    const labels = slots.map((s) =>
      sh('docker', ['node', 'inspect', '--format', '{{index .Spec.Labels "zone"}}', s.name], { DOCKER_HOST: managerHost() }),
    );
    expect(labels).toEqual(['zone-a', 'zone-b', 'zone-a']);
    expect((await status()).map((n) => [n.engine, n.swarmState, n.availability, n.link])).toEqual(
      slots.map(() => ['running', 'ready', 'active', 'up']),
    );
  });

  test('/ and /api/status through the stand-in load balancer, answered by every node', async () => {
    expect((await httpGet(`${NLB}/`)).body).toMatch(/<html/i);
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const reply = await httpGet(`${NLB}/api/status`);
      expect(reply.status).toBe(200);
      // The task identity (TASK_ID) of the api copy that answered.
      seen.add(/"id"\s*:\s*"([^"]+)"/.exec(reply.body)?.[1] ?? '');
    }
    // Six api copies in all (two per node): round robin over the nodes reaches more than one node's.
    expect(seen.size).toBeGreaterThan(2);
  });

  test('node-control usage errors exit 2', () => {
    for (const args of [['terminate'], ['terminate', 'node-9'], ['cut-zone', 'zone-c'], ['bogus']]) {
      let code = 0;
      try {
        sh(`${REPO_ROOT}/.rehearsal/node-control`, args);
      } catch (error) {
        code = (error as { status: number }).status;
      }
      expect(code).toBe(2);
    }
  });

  test('terminate node-2: the load balancer keeps serving, the stand-in ASG replaces the node', async () => {
    const before = await nodeStatus('node-2');
    const sampler = new Sampler(`${NLB}/api/status`);
    await new Promise((r) => setTimeout(r, 1000));
    const killed = (await nodeControl('terminate', 'node-2')) as { node: string; killedPids: number[]; at: string };
    expect(killed.node).toBe('node-2');
    expect(killed.killedPids.length).toBeGreaterThan(COPIES);
    const replacedMs = await waitFor(
      'node-2 replaced',
      async () =>
        (await status()).some((n) => n.name === 'node-2' && n.engine === 'running' && n.replacements === (before?.replacements ?? 0) + 1),
      60_000,
    );
    const healthyMs = await waitFor('node-2 healthy again', async () => (await healthyOn('node-2')) === COPIES, 120_000);
    await new Promise((r) => setTimeout(r, 1000));
    const sampled = await sampler.stop();
    const after = await nodeStatus('node-2');
    expect(after?.swarmNodeId).not.toBe(before?.swarmNodeId);
    expect(after?.swarmState).toBe('ready');
    // The old node entry is gone from the swarm.
    expect(sh('docker', ['node', 'ls', '-q'], { DOCKER_HOST: managerHost() }).split('\n')).toHaveLength(4);
    figures.terminate = { replacedMs, healthyMs: replacedMs + healthyMs, ...sampled };
    expect(sampled.availability).toBeGreaterThanOrEqual(0.99);
  });

  test('cut-zone zone-b / restore-zone: the load balancer keeps serving, the node comes back', async () => {
    const sampler = new Sampler(`${NLB}/api/status`);
    await new Promise((r) => setTimeout(r, 1000));
    const cut = (await nodeControl('cut-zone', 'zone-b')) as { zone: string; nodes: string[]; links: { name: string; state: string }[] };
    expect(cut).toEqual({ zone: 'zone-b', nodes: ['node-2'], links: [{ name: 'platform-n2', state: 'down' }] });
    const downMs = await waitFor('node-2 seen down by the swarm', async () => (await nodeStatus('node-2'))?.swarmState === 'down', 60_000);
    const restored = (await nodeControl('restore-zone', 'zone-b')) as { links: { state: string }[] };
    expect(restored.links).toEqual([{ name: 'platform-n2', state: 'up' }]);
    const readyMs = await waitFor('node-2 ready again', async () => (await nodeStatus('node-2'))?.swarmState === 'ready', 60_000);
    const healthyMs = await waitFor('node-2 healthy again', async () => (await healthyOn('node-2')) === COPIES, 120_000);
    await new Promise((r) => setTimeout(r, 1000));
    const sampled = await sampler.stop();
    figures.zoneLoss = { swarmSawDownMs: downMs, readyAfterRestoreMs: readyMs, healthyAfterRestoreMs: readyMs + healthyMs, ...sampled };
    expect(sampled.availability).toBeGreaterThanOrEqual(0.99);
  });

  test('drain node-1 through the swarm: its tasks stop; active brings them back', async () => {
    const id = (await nodeStatus('node-1'))?.swarmNodeId ?? '';
    const sampler = new Sampler(`${NLB}/api/status`);
    await new Promise((r) => setTimeout(r, 1000));
    await shAsync('docker', ['node', 'update', '--availability', 'drain', id], { DOCKER_HOST: managerHost() });
    const drainedMs = await waitFor('node-1 drained', async () => (await healthyOn('node-1')) === 0, 120_000);
    expect((await nodeStatus('node-1'))?.availability).toBe('drain');
    await shAsync('docker', ['node', 'update', '--availability', 'active', id], { DOCKER_HOST: managerHost() });
    const backMs = await waitFor('node-1 healthy again', async () => (await healthyOn('node-1')) === COPIES, 120_000);
    await new Promise((r) => setTimeout(r, 1000));
    const sampled = await sampler.stop();
    figures.drain = { drainedMs, backAfterActiveMs: backMs, ...sampled };
    expect(sampled.availability).toBeGreaterThanOrEqual(0.99);
  });

  test('down removes everything: namespaces, links, engines, the load balancer, mounts, the ports', async () => {
    const down = await runRehearsal(['down']);
    expect(down.code).toBe(0);
    figures.downMs = down.ms;
    expect(sh('ip', ['netns', 'list'])).not.toMatch(/platform-node-/);
    expect(sh('ip', ['-o', 'link', 'show'])).not.toMatch(/platform-/);
    const nodesDir = fleetFiles(settings).dir;
    // Zombies aside, and the wrappers of other jobs queued on the e2e lock (`flock … sh -c '…'`,
    // whose scripts may name the state directory): the rehearsal starts neither.
    const processes = sh('ps', ['-eo', 'stat,args'])
      .split('\n')
      .filter((l) => !l.startsWith('Z') && !/^\S+\s+(flock|sh -c)\s/.test(l));
    expect(processes.filter((l) => l.includes(nodesDir) || l.includes(settings.stateDir))).toEqual([]);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(settings.stateDir);
    expect(sh('iptables', ['-S', 'FORWARD'])).not.toContain('platform-rehearsal');
    const listening = sh('ss', ['-Hltn']);
    for (const port of [settings.proxyPort, 2377, settings.sshPort])
      expect(listening).not.toMatch(new RegExp(`127\\.0\\.0\\.1:${port}\\b|10\\.210\\.0\\.1:${port}\\b`));
  });
});
