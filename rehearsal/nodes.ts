import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { run, runCommand } from './command';
import { dockerEnv, engineVersion, type Engine } from './docker-engine';
import { PrerequisiteError, StepFailedError } from './errors';
import { mountsUnder } from './mounts';
import { isRunning, ownProcess, POLL_MS, sleep, stopProcess } from './processes';
import type { RehearsalSettings } from './settings';

/**
 * The multi-node rehearsal's nodes (`rehearsal up --nodes N`): node-1..node-N, each a worker of
 * the swarm in its own network namespace `platform-node-<i>` with its own dockerd (data root,
 * exec root, pid file, socket under `<state>/nodes/node-<i>/`), address 10.210.0.1<i>/24 on the
 * bridge `platform-br0` (host side 10.210.0.1), swarm label `zone` = zone-a (odd i) or zone-b
 * (even i). The host's rehearsal dockerd is the manager, drained: the stand-in for ECS's managed
 * control plane, in no zone.
 */

/** At most 9 nodes: the address is 10.210.0.1<i>, one digit. */
export const MAX_NODES = 9;
export const BRIDGE = 'platform-br0';
export const BRIDGE_ADDRESS = '10.210.0.1';
/** The swarm's manager listens here in multi-node mode: the workers must reach it. */
export const MANAGER_LISTEN = `${BRIDGE_ADDRESS}:2377`;
/** Label on every node: the zone it stands for. */
export const ZONE_LABEL = 'zone';

/** One worker node. */
export interface NodeSlot {
  readonly index: number;
  /** `node-<i>` (also its hostname, so `docker node ls` reads well). */
  readonly name: string;
  readonly zone: 'zone-a' | 'zone-b';
  readonly address: string;
  readonly netns: string;
  /** Host side of the node's veth, on the bridge (the link `cut-zone` sets down). */
  readonly hostLink: string;
}

/**
 * `--nodes` from the command line: undefined when absent (one node, today's rehearsal); a number
 * 1..9; anything else a PrerequisiteError with the one line to print.
 */
export function parseNodesOption(args: readonly string[]): { readonly nodes: number; readonly rest: readonly string[] } {
  const rest: string[] = [];
  let nodes: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    let value: string | undefined;
    if (arg === '--nodes') {
      value = args[i + 1];
      i++;
      if (value === undefined) throw new PrerequisiteError(`--nodes needs a value: a whole number of nodes from 1 to ${MAX_NODES}`);
    } else if (arg.startsWith('--nodes=')) {
      value = arg.slice('--nodes='.length);
    } else {
      rest.push(arg);
      continue;
    }
    if (nodes !== undefined) throw new PrerequisiteError('--nodes is given twice: give it once');
    if (!/^[1-9][0-9]*$/.test(value) || Number(value) > MAX_NODES)
      throw new PrerequisiteError(`--nodes "${value}" is not a number of nodes: give a whole number from 1 to ${MAX_NODES}`);
    nodes = Number(value);
  }
  return { nodes: nodes ?? 1, rest };
}

/** The slots of an N-node rehearsal. */
export function nodeSlots(count: number): readonly NodeSlot[] {
  return Array.from({ length: count }, (_, k) => {
    const index = k + 1;
    return {
      index,
      name: `node-${index}`,
      zone: index % 2 === 1 ? 'zone-a' : 'zone-b',
      address: `10.210.0.1${index}`,
      netns: `platform-node-${index}`,
      hostLink: `platform-n${index}`,
    } as const;
  });
}

/** Files of one node's dockerd, under the state directory. */
export function nodeFiles(settings: Pick<RehearsalSettings, 'stateDir'>, slot: Pick<NodeSlot, 'name'>) {
  const dir = path.join(settings.stateDir, 'nodes', slot.name);
  return {
    dir,
    dataRoot: path.join(dir, 'docker'),
    execRoot: path.join(dir, 'exec'),
    socket: path.join(dir, 'docker.sock'),
    pidFile: path.join(dir, 'docker.pid'),
    logFile: path.join(dir, 'dockerd.log'),
    config: path.join(dir, 'daemon.json'),
    /** What the slot knows about itself: its swarm node id, how many times it was replaced. */
    slot: path.join(dir, 'slot.json'),
  } as const;
}

/** The multi-node rehearsal's own files under the state directory. */
export function fleetFiles(settings: Pick<RehearsalSettings, 'stateDir'>) {
  const dir = path.join(settings.stateDir, 'nodes');
  return {
    dir,
    /** The node count `up` set up, for `down`, the supervisor and node-control. */
    fleet: path.join(dir, 'fleet.json'),
    /** The certificate directory every node's proxy mounts at /etc/acme (the EFS stand-in). */
    certificates: path.join(settings.stateDir, 'fleet-acme'),
    supervisorPid: path.join(dir, 'supervisor.pid'),
    supervisorLog: path.join(dir, 'supervisor.log'),
    lbDir: path.join(dir, 'lb'),
  } as const;
}

const slotStateSchema = z.strictObject({
  swarmNodeId: z.string(),
  replacements: z.number().int().min(0),
  lastReplacedAt: z.string().optional(),
});
export type SlotState = z.infer<typeof slotStateSchema>;

export function readSlotState(settings: Pick<RehearsalSettings, 'stateDir'>, slot: NodeSlot): SlotState {
  try {
    return slotStateSchema.parse(JSON.parse(readFileSync(nodeFiles(settings, slot).slot, 'utf8')));
  } catch {
    return { swarmNodeId: '', replacements: 0 };
  }
}

export function writeSlotState(settings: Pick<RehearsalSettings, 'stateDir'>, slot: NodeSlot, state: SlotState): void {
  writeFileSync(nodeFiles(settings, slot).slot, `${JSON.stringify(state)}\n`);
}

const fleetSchema = z.strictObject({
  nodes: z.number().int().min(2).max(MAX_NODES),
  proxyPorts: z.array(z.number().int()),
  /** ACME mode: the directory's port the load balancer forwards from the bridge address. */
  acmeDirectoryPort: z.number().int().min(1).max(65535).optional(),
});
export type Fleet = z.infer<typeof fleetSchema>;

/** The fleet `up` set up, or undefined (single-node rehearsal, or none). */
export function readFleet(settings: Pick<RehearsalSettings, 'stateDir'>): Fleet | undefined {
  try {
    return fleetSchema.parse(JSON.parse(readFileSync(fleetFiles(settings).fleet, 'utf8')));
  } catch {
    return undefined;
  }
}

export function writeFleet(settings: Pick<RehearsalSettings, 'stateDir'>, fleet: Fleet): void {
  mkdirSync(fleetFiles(settings).dir, { recursive: true });
  writeFileSync(fleetFiles(settings).fleet, `${JSON.stringify(fleet)}\n`);
}

/** The engine of a node (its socket; `own`: the rehearsal started it). */
export function nodeEngine(settings: Pick<RehearsalSettings, 'stateDir'>, slot: NodeSlot): Engine {
  return { host: `unix://${nodeFiles(settings, slot).socket}`, own: true, version: '' };
}

/** The pid of a node's dockerd when it runs (its data root is on its command line, nobody else's). */
export function nodeEnginePid(settings: Pick<RehearsalSettings, 'stateDir'>, slot: NodeSlot): number | undefined {
  const files = nodeFiles(settings, slot);
  return ownProcess(files.pidFile, files.dataRoot);
}

async function ip(args: readonly string[]): Promise<string> {
  return run('ip', args, { timeoutMs: 15_000 });
}

async function linkExists(name: string): Promise<boolean> {
  return (await runCommand('ip', ['link', 'show', name], { timeoutMs: 15_000 })).code === 0;
}

export function netnsList(): readonly string[] {
  return existsSync('/run/netns') ? readdirSync('/run/netns') : [];
}

/** Bridge, host address and a FORWARD accept for node-to-node traffic (a dockerd sets the policy to DROP). */
export async function ensureBridge(): Promise<string> {
  let did = 'present';
  if (!(await linkExists(BRIDGE))) {
    await ip(['link', 'add', BRIDGE, 'type', 'bridge']);
    did = 'created';
  }
  const addrs = await ip(['-4', '-o', 'addr', 'show', 'dev', BRIDGE]);
  if (!addrs.includes(`${BRIDGE_ADDRESS}/24`)) await ip(['addr', 'add', `${BRIDGE_ADDRESS}/24`, 'dev', BRIDGE]);
  await ip(['link', 'set', BRIDGE, 'up']);
  if ((await runCommand('iptables', [...FORWARD_RULE_CHECK])).code !== 0) await run('iptables', ['-I', ...FORWARD_RULE]);
  return did;
}

const FORWARD_RULE = ['FORWARD', '-i', BRIDGE, '-o', BRIDGE, '-j', 'ACCEPT', '-m', 'comment', '--comment', 'platform-rehearsal'];
const FORWARD_RULE_CHECK = ['-C', ...FORWARD_RULE];

/** The node's network namespace and veth, addressed, with a default route to the host. */
export async function ensureNetns(slot: NodeSlot): Promise<void> {
  if (!netnsList().includes(slot.netns)) await ip(['netns', 'add', slot.netns]);
  const inNs = (args: readonly string[]) => ip(['-n', slot.netns, ...args]);
  if (!(await linkExists(slot.hostLink))) {
    // A leftover node side (its host side gone) would block the name.
    await runCommand('ip', ['-n', slot.netns, 'link', 'del', 'eth0']);
    await ip(['link', 'add', slot.hostLink, 'type', 'veth', 'peer', 'name', `${slot.hostLink}p`]);
    await ip(['link', 'set', `${slot.hostLink}p`, 'netns', slot.netns]);
    await inNs(['link', 'set', `${slot.hostLink}p`, 'name', 'eth0']);
  }
  await ip(['link', 'set', slot.hostLink, 'master', BRIDGE, 'up']);
  const addrs = await inNs(['-4', '-o', 'addr', 'show', 'dev', 'eth0']);
  if (!addrs.includes(`${slot.address}/24`)) await inNs(['addr', 'add', `${slot.address}/24`, 'dev', 'eth0']);
  await inNs(['link', 'set', 'eth0', 'up']);
  await inNs(['link', 'set', 'lo', 'up']);
  await inNs(['route', 'replace', 'default', 'via', BRIDGE_ADDRESS]);
}

/**
 * ACME mode: the node reaches the ACME directory on the host's 127.0.0.1:`port` at its own
 * 127.0.0.1:`port`, so the directory URL and the directory's certificate (issued for 127.0.0.1)
 * stay as they are. In the node's namespace: locally made packets to 127.0.0.1:`port` are DNATed
 * to the host's bridge address (where the stand-in load balancer forwards them to the host's
 * loopback), their source rewritten to the node's address, and `route_localnet` lets a packet
 * with a loopback address leave by (and its reply come back through) eth0. Nothing changes on the
 * host's own rules; the namespace's rules go with it. Idempotent (each rule checked first).
 */
export async function ensureDirectoryRoute(slot: NodeSlot, port: number): Promise<void> {
  const inNs = (args: readonly string[]) => runCommand('ip', ['netns', 'exec', slot.netns, ...args], { timeoutMs: 15_000 });
  const must = async (args: readonly string[]): Promise<void> => {
    const result = await inNs(args);
    if (result.code !== 0)
      throw new StepFailedError(`${slot.name}: ${args.join(' ')} failed in ${slot.netns}: ${(result.stderr || result.stdout).trim()}`);
  };
  await must(['sysctl', '-q', '-w', 'net.ipv4.conf.all.route_localnet=1']);
  for (const rule of directoryRouteRules(slot, port)) {
    if ((await inNs(['iptables', '-t', 'nat', '-C', ...rule])).code !== 0) await must(['iptables', '-t', 'nat', '-A', ...rule]);
  }
}

/** The two nat rules of {@link ensureDirectoryRoute}. */
export function directoryRouteRules(slot: Pick<NodeSlot, 'address'>, port: number): readonly (readonly string[])[] {
  const comment = ['-m', 'comment', '--comment', 'platform-rehearsal acme directory'];
  return [
    [
      'OUTPUT',
      '-d',
      '127.0.0.1/32',
      '-p',
      'tcp',
      '--dport',
      String(port),
      '-j',
      'DNAT',
      '--to-destination',
      `${BRIDGE_ADDRESS}:${port}`,
      ...comment,
    ],
    [
      'POSTROUTING',
      '-s',
      '127.0.0.1/32',
      '-d',
      `${BRIDGE_ADDRESS}/32`,
      '-o',
      'eth0',
      '-j',
      'SNAT',
      '--to-source',
      slot.address,
      ...comment,
    ],
  ];
}

/**
 * Starts a node's dockerd in its network namespace (`nsenter --net`, not `ip netns exec`: that
 * one remounts /sys and hides the cgroup hierarchy dockerd needs), with its own UTS namespace so
 * that its hostname is the node's name. No bridge, no iptables (host networking only; the
 * manager's dockerd owns the host's rules), its own containerd under its exec root, containers
 * in the cgroup `platform-node-<i>`. Resolves with its version once it answers.
 */
export async function startNodeEngine(settings: Pick<RehearsalSettings, 'stateDir'>, slot: NodeSlot, dockerd: string): Promise<string> {
  const files = nodeFiles(settings, slot);
  mkdirSync(files.dataRoot, { recursive: true, mode: 0o700 });
  writeFileSync(files.config, '{}\n');
  const log = openSync(files.logFile, 'w');
  const dockerdArgs = [
    '--config-file',
    files.config,
    '--storage-driver',
    'overlay2',
    '--data-root',
    files.dataRoot,
    '--exec-root',
    files.execRoot,
    '--host',
    `unix://${files.socket}`,
    '--pidfile',
    files.pidFile,
    '--bridge',
    'none',
    '--iptables=false',
    '--ip6tables=false',
    '--cgroup-parent',
    slot.netns,
  ];
  const quoted = [dockerd, ...dockerdArgs].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn(
    'nsenter',
    [`--net=/run/netns/${slot.netns}`, 'unshare', '--uts', 'sh', '-c', `hostname ${slot.name} && exec ${quoted}`],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: '1' },
    },
  );
  closeSync(log);
  child.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.pid === undefined || !isRunning(child.pid)) break;
    const version = await engineVersion(`unix://${files.socket}`);
    if (version !== undefined) return version;
    await sleep(POLL_MS * 2);
  }
  const tail = readFileSync(files.logFile, 'utf8').trimEnd().split('\n').slice(-10).join('\n');
  throw new StepFailedError(`${slot.name}'s dockerd did not answer within 60s (log ${files.logFile}):\n${tail}`);
}

/** Unmounts what a node's dockerd leaves mounted under its state (overlay layers, its netns bind, its data root). */
export async function unmountNode(settings: Pick<RehearsalSettings, 'stateDir'>, slot: NodeSlot): Promise<number> {
  const mounts = [...mountsUnder(nodeFiles(settings, slot).dir)].reverse();
  for (const mountPoint of mounts) await runCommand('umount', ['-l', mountPoint]);
  return mounts.length;
}

/** Stops a node's dockerd (graceful: it stops its containers), then unmounts its leftovers. */
export async function stopNodeEngine(settings: Pick<RehearsalSettings, 'stateDir'>, slot: NodeSlot): Promise<'stopped' | 'not-running'> {
  const pid = nodeEnginePid(settings, slot);
  if (pid !== undefined) await stopProcess(pid, 30_000);
  // Whatever is left in the namespace (a shim whose dockerd was killed) goes too.
  await killNetns(slot);
  await unmountNode(settings, slot);
  return pid === undefined ? 'not-running' : 'stopped';
}

/** Pids whose network namespace is the node's: its dockerd, containerd, shims and every container (host network). */
export async function netnsPids(slot: NodeSlot): Promise<readonly number[]> {
  if (!netnsList().includes(slot.netns)) return [];
  const result = await runCommand('ip', ['netns', 'pids', slot.netns], { timeoutMs: 15_000 });
  return result.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** SIGKILLs every process of the node's namespace until none is left (power loss); returns the pids killed. */
export async function killNetns(slot: NodeSlot): Promise<readonly number[]> {
  const killed = new Set<number>();
  for (let round = 0; round < 50; round++) {
    const pids = (await netnsPids(slot)).filter((pid) => isRunning(pid));
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        // gone already
      }
    }
    await sleep(POLL_MS);
  }
  return [...killed].sort((a, b) => a - b);
}

/** Removes a node's namespace and veth. */
export async function removeNetns(slot: NodeSlot): Promise<void> {
  if (await linkExists(slot.hostLink)) await ip(['link', 'del', slot.hostLink]);
  if (netnsList().includes(slot.netns)) await ip(['netns', 'del', slot.netns]);
}

/** Removes the bridge and the FORWARD rule. */
export async function removeBridge(): Promise<boolean> {
  while ((await runCommand('iptables', [...FORWARD_RULE_CHECK])).code === 0) await run('iptables', ['-D', ...FORWARD_RULE]);
  if (!(await linkExists(BRIDGE))) return false;
  await ip(['link', 'del', BRIDGE]);
  return true;
}

/** State of a host-side link: up or down (administratively). */
export async function linkState(name: string): Promise<'up' | 'down'> {
  const out = await runCommand('ip', ['-o', 'link', 'show', name]);
  if (out.code !== 0) return 'down';
  const flags = /<([^>]*)>/.exec(out.stdout)?.[1]?.split(',') ?? [];
  return flags.includes('UP') ? 'up' : 'down';
}

export async function setLink(name: string, state: 'up' | 'down'): Promise<void> {
  await ip(['link', 'set', name, state]);
}

/** Swarm facts of one engine. */
export async function swarmLocal(engine: Engine): Promise<{ state: string; nodeId: string; managerAddr: string }> {
  const out = await runCommand(
    'docker',
    ['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} {{range .Swarm.RemoteManagers}}{{.Addr}}{{end}}'],
    { env: dockerEnv(engine), timeoutMs: 15_000 },
  );
  const [state = '', nodeId = '', managerAddr = ''] = out.stdout.trim().split(' ');
  return { state, nodeId, managerAddr };
}

/** `docker node ls` on the manager: id → {hostname, status, availability}. */
export async function swarmNodes(
  manager: Engine,
): Promise<ReadonlyMap<string, { hostname: string; status: string; availability: string }>> {
  const out = await runCommand('docker', ['node', 'ls', '--format', '{{.ID}} {{.Hostname}} {{.Status}} {{.Availability}}'], {
    env: dockerEnv(manager),
    timeoutMs: 15_000,
  });
  const nodes = new Map<string, { hostname: string; status: string; availability: string }>();
  for (const line of out.stdout.split('\n')) {
    const [id = '', hostname = '', status = '', availability = ''] = line.trim().split(/\s+/);
    if (id !== '') nodes.set(id, { hostname, status: status.toLowerCase(), availability: availability.toLowerCase() });
  }
  return nodes;
}

/**
 * Joins a node's engine to the manager's swarm as a worker labelled with its zone; a node already
 * in it (its id known to the manager) is left as it is. Returns its swarm node id.
 */
export async function joinNode(manager: Engine, node: Engine, slot: NodeSlot): Promise<{ nodeId: string; joined: boolean }> {
  const local = await swarmLocal(node);
  const known = await swarmNodes(manager);
  let joined = false;
  let nodeId = local.nodeId;
  if (!(local.state === 'active' && known.has(local.nodeId))) {
    if (local.state !== 'inactive') await runCommand('docker', ['swarm', 'leave', '--force'], { env: dockerEnv(node) });
    const token = await run('docker', ['swarm', 'join-token', '-q', 'worker'], { env: dockerEnv(manager) });
    await run(
      'docker',
      ['swarm', 'join', '--token', token, '--advertise-addr', slot.address, '--listen-addr', `${slot.address}:2377`, MANAGER_LISTEN],
      { env: dockerEnv(node), timeoutMs: 60_000 },
    );
    nodeId = (await swarmLocal(node)).nodeId;
    joined = true;
  }
  await run('docker', ['node', 'update', '--label-add', `${ZONE_LABEL}=${slot.zone}`, nodeId], { env: dockerEnv(manager) });
  return { nodeId, joined };
}

/** Removes node entries of the swarm that are down and whose hostname is a slot's (a replaced node). */
export async function removeStaleNodes(manager: Engine, slot: NodeSlot, keep: string): Promise<readonly string[]> {
  const removed: string[] = [];
  for (const [id, node] of await swarmNodes(manager)) {
    if (id === keep || node.hostname !== slot.name) continue;
    if ((await runCommand('docker', ['node', 'rm', '--force', id], { env: dockerEnv(manager) })).code === 0) removed.push(id);
  }
  return removed;
}

/**
 * Copies the images into a node's engine (`docker save | docker load`), each only when the node
 * lacks that exact image id. Returns the refs loaded.
 */
export async function loadImages(
  manager: Engine,
  node: Engine,
  images: readonly { readonly ref: string; readonly id: string }[],
): Promise<readonly string[]> {
  const loaded: string[] = [];
  for (const image of images) {
    const there = await runCommand('docker', ['image', 'inspect', '--format', '{{.Id}}', image.ref], { env: dockerEnv(node) });
    if (there.code === 0 && there.stdout.trim() === image.id) continue;
    const q = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
    await run('sh', ['-c', `docker -H ${q(manager.host)} save ${q(image.ref)} | docker -H ${q(node.host)} load -q`], {
      timeoutMs: 300_000,
    });
    loaded.push(image.ref);
  }
  return loaded;
}

/** The certificate directory all nodes' proxies share, owned by the proxy's user, mode 700. */
export async function ensureSharedCertificates(settings: Pick<RehearsalSettings, 'stateDir'>, user: string): Promise<string> {
  const dir = fleetFiles(settings).certificates;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await run('chown', ['-R', user, dir]);
  await run('chmod', ['700', dir]);
  return dir;
}

/** Removes a node's state (down --purge). */
export function removeNodeState(settings: Pick<RehearsalSettings, 'stateDir'>): void {
  rmSync(fleetFiles(settings).dir, { recursive: true, force: true });
}
