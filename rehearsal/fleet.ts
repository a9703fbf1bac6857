import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { SERVICES } from '../contract/services';
import { run, runCommand } from './command';
import { dockerEnv, type Engine } from './docker-engine';
import { PrerequisiteError, StepFailedError } from './errors';
import { answers, portInUse, waitUntil, type CheckResult } from './http-check';
import { ensureLoadBalancer, loadBalancerPid, stopLoadBalancer } from './load-balancer';
import { writeNodeControlScript } from './node-control';
import { ensureSupervisor, stopSupervisor } from './node-supervisor';
import {
  BRIDGE,
  BRIDGE_ADDRESS,
  ensureBridge,
  ensureDirectoryRoute,
  ensureNetns,
  ensureSharedCertificates,
  fleetFiles,
  joinNode,
  loadImages,
  MANAGER_LISTEN,
  netnsList,
  nodeEngine,
  nodeEnginePid,
  nodeFiles,
  nodeSlots,
  readFleet,
  readSlotState,
  removeBridge,
  removeNetns,
  removeStaleNodes,
  startNodeEngine,
  stopNodeEngine,
  swarmLocal,
  writeFleet,
  writeSlotState,
  type NodeSlot,
} from './nodes';
import type { Progress } from './progress';
import { POLL_MS, sleep } from './processes';
import { STACK_NAME, rehearsalFiles, type RehearsalSettings } from './settings';
import { rehearsalCopies, type StackFile } from './stack-file';
import { Convergence, STACK_LABEL, stackContainers } from './swarm';
import { findTool, requireTools } from './tools';

/**
 * The multi-node parts of `rehearsal up --nodes N` and of `down` (see nodes.ts for the layout).
 */

/**
 * ACME mode with N nodes: the port of the ACME directory, which every node reaches at its own
 * 127.0.0.1 (DNAT in its namespace) and the stand-in load balancer forwards from the bridge
 * address to the host's 127.0.0.1; undefined without ACME mode. The URL must name 127.0.0.1 (an
 * IPv4 DNAT: "localhost" may resolve to ::1 in the container), and its port must be none the node
 * serves on its own loopback nor one the swarm uses on the bridge address.
 */
export function acmeDirectoryPort(settings: Pick<RehearsalSettings, 'acme' | 'proxyPort'>): number | undefined {
  if (settings.acme === undefined) return undefined;
  const url = new URL(settings.acme.directory);
  if (url.hostname !== '127.0.0.1')
    throw new PrerequisiteError(
      `REHEARSAL_ACME_DIRECTORY must name 127.0.0.1 with --nodes N > 1 (each node reaches it through an IPv4 forward of its own 127.0.0.1), got "${settings.acme.directory}"`,
    );
  const port = url.port === '' ? 443 : Number(url.port);
  const taken = new Map<number, string>([
    [settings.proxyPort, "the proxy's HTTP port"],
    [settings.acme.httpsPort, "the proxy's HTTPS port"],
    ...rehearsalCopies()
      .filter((c) => c.service !== 'proxy')
      .map((c): [number, string] => [c.port, `the ${c.name} copy's port`]),
    [2377, "the swarm manager's port"],
    [7946, "the swarm's gossip port"],
    [4789, "the swarm's overlay port"],
  ]);
  const clash = taken.get(port);
  if (clash !== undefined)
    throw new PrerequisiteError(
      `REHEARSAL_ACME_DIRECTORY's port ${port} is ${clash} on every node: with --nodes N > 1 the directory must listen on another port of 127.0.0.1`,
    );
  return port;
}

/** The tools the multi-node rehearsal needs on top of the single-node one's (and, in ACME mode, a usable directory port). */
export function requireFleetTools(settings: Pick<RehearsalSettings, 'isRoot' | 'acme' | 'proxyPort'>): void {
  if (!settings.isRoot)
    throw new PrerequisiteError('rehearsal up --nodes N (N > 1) runs as root: it creates network namespaces and dockerds');
  acmeDirectoryPort(settings);
  requireTools(
    {
      ip: { command: 'ip', aptPackage: 'iproute2' },
      nsenter: { command: 'nsenter', aptPackage: 'util-linux' },
      iptables: { command: 'iptables', aptPackage: 'iptables' },
      nginx: { command: 'nginx', aptPackage: 'nginx' },
      dockerd: { command: 'dockerd', aptPackage: 'docker.io' },
    },
    'The multi-node rehearsal',
  );
}

/**
 * The rehearsal that is up must be the one asked for: switching between one node and N (or
 * between two N) means another swarm, so `down` comes first. Nothing is changed here.
 */
export function checkSameShape(settings: RehearsalSettings, nodes: number, stackUp: boolean): void {
  const fleet = readFleet(settings);
  const running = fleet?.nodes ?? (stackUp ? 1 : undefined);
  if (running !== undefined && running !== nodes)
    throw new PrerequisiteError(
      `the rehearsal is up with ${running} node${running === 1 ? '' : 's'}, not ${nodes}: run \`rehearsal down\` first, then up --nodes ${nodes}`,
    );
}

/** The manager: the host's engine, swarm on the bridge address, drained (it runs no task). */
export async function ensureManager(engine: Engine): Promise<{ initialized: boolean; clusterId: string; nodeId: string }> {
  const local = await swarmLocal(engine);
  let initialized = false;
  if (local.state === 'active' && local.managerAddr !== MANAGER_LISTEN)
    throw new PrerequisiteError(
      `the engine's swarm listens at ${local.managerAddr || 'another address'}, not ${MANAGER_LISTEN}: run \`rehearsal down\` first (or docker swarm leave --force)`,
    );
  if (local.state !== 'active') {
    if (local.state !== 'inactive') await runCommand('docker', ['swarm', 'leave', '--force'], { env: dockerEnv(engine) });
    await run(
      'docker',
      ['swarm', 'init', '--advertise-addr', BRIDGE_ADDRESS, '--listen-addr', MANAGER_LISTEN, '--task-history-limit', '1'],
      { env: dockerEnv(engine) },
    );
    initialized = true;
  }
  const nodeId = (await swarmLocal(engine)).nodeId;
  await run('docker', ['node', 'update', '--availability', 'drain', nodeId], { env: dockerEnv(engine) });
  const clusterId = await run('docker', ['info', '--format', '{{with .Swarm.Cluster}}{{.ID}}{{end}}'], { env: dockerEnv(engine) });
  return { initialized, clusterId, nodeId };
}

/** One node up: namespace, engine, images, in the swarm with its zone label. */
export async function ensureNode(
  settings: RehearsalSettings,
  manager: Engine,
  slot: NodeSlot,
  images: readonly { readonly ref: string; readonly id: string }[],
): Promise<string> {
  await ensureNetns(slot);
  const directoryPort = acmeDirectoryPort(settings);
  if (directoryPort !== undefined) await ensureDirectoryRoute(slot, directoryPort);
  const dockerd = findTool('dockerd') ?? 'dockerd';
  const running = nodeEnginePid(settings, slot) !== undefined;
  if (!running) {
    // A slot whose engine died while no supervisor ran: clean it as the supervisor would.
    await stopNodeEngine(settings, slot);
    rmSync(path.join(nodeFiles(settings, slot).dataRoot, 'swarm'), { recursive: true, force: true });
    await startNodeEngine(settings, slot, dockerd);
  }
  const node = nodeEngine(settings, slot);
  const loaded = await loadImages(manager, node, images);
  const { nodeId, joined } = await joinNode(manager, node, slot);
  await removeStaleNodes(manager, slot, nodeId);
  const previous = readSlotState(settings, slot);
  writeSlotState(settings, slot, { ...previous, swarmNodeId: nodeId });
  return `${slot.address} ${slot.zone}: engine ${running ? 'running' : 'started'}, ${loaded.length === 0 ? 'images present' : `loaded ${loaded.length} images`}, ${joined ? 'joined' : 'in the swarm'} as ${nodeId.slice(0, 12)}`;
}

/** Ports the stand-in load balancer listens on: the proxy's, and the HTTPS one in ACME mode. */
export function balancerPorts(settings: RehearsalSettings): readonly number[] {
  return settings.acme === undefined ? [settings.proxyPort] : [settings.proxyPort, settings.acme.httpsPort];
}

/** Before the first start: the load balancer's ports on 127.0.0.1 must be free. */
export async function checkBalancerPorts(settings: RehearsalSettings): Promise<void> {
  if (loadBalancerPid(settings) !== undefined) return;
  for (const port of balancerPorts(settings))
    if (await portInUse(port))
      throw new PrerequisiteError(
        `127.0.0.1:${port}, the stand-in load balancer's port, is taken by another program (choose another with REHEARSAL_PROXY_PORT / REHEARSAL_HTTPS_PORT)`,
      );
}

/** Every node runs one healthy container of the current spec of every service. */
async function fleetConverged(
  settings: RehearsalSettings,
  slots: readonly NodeSlot[],
  stack: StackFile,
  checks: Map<string, Convergence>,
): Promise<CheckResult> {
  const waiting: string[] = [];
  for (const slot of slots) {
    const convergence = checks.get(slot.name) ?? new Convergence(stack);
    checks.set(slot.name, convergence);
    const result = convergence.check(await stackContainers(nodeEngine(settings, slot)));
    if (result.state === 'failed') return { state: 'failed', reason: `${slot.name}: ${result.reason}` };
    if (result.state === 'waiting') waiting.push(`${slot.name}: ${result.reason}`);
  }
  return waiting.length === 0 ? { state: 'done' } : { state: 'waiting', reason: waiting.join('; ') };
}

/**
 * Waits until every node runs every service healthy, each node's proxy answers its health path at
 * the node's address and serves `/` and `/api/status` there (over HTTPS with the domain as SNI in
 * ACME mode, where plain HTTP redirects once the certificate is there; any certificate: the
 * caller checks which), and so does the stand-in load balancer.
 */
export async function waitForFleet(
  settings: RehearsalSettings,
  slots: readonly NodeSlot[],
  stack: StackFile,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const left = (): number => Math.max(0, deadline - Date.now());
  const checks = new Map<string, Convergence>();
  const converged = await waitUntil(() => fleetConverged(settings, slots, stack, checks), left());
  if (converged.state !== 'done') throw new StepFailedError(`the stack did not come up on every node: ${converged.reason}`);
  const acme = settings.acme;
  for (const address of [...slots.map((s) => s.address), '127.0.0.1']) {
    const http = `http://${address}:${settings.proxyPort}`;
    const site = acme === undefined ? http : `https://${address}:${acme.httpsPort}`;
    const servername = acme?.domain;
    for (const check of [
      answers(`${http}${SERVICES.proxy.healthPath}`),
      answers(`${site}/`, (body) => /<html/i.test(body), servername),
      answers(`${site}/api/status`, (body) => /"service"\s*:\s*"api"/.test(body), servername),
    ]) {
      const result = await waitUntil(check, left());
      if (result.state !== 'done') throw new StepFailedError(`${address}: ${result.reason}`);
    }
  }
}

/** The stand-ins: load balancer, supervisor, node-control; returns the node-control path. */
export async function ensureStandIns(
  settings: RehearsalSettings,
  manager: Engine,
  slots: readonly NodeSlot[],
  progress: Progress,
): Promise<string> {
  await progress.step('stand-in load balancer', async (step) => {
    const directoryPort = acmeDirectoryPort(settings);
    const did = await ensureLoadBalancer(settings, balancerPorts(settings), slots, new Set(), directoryPort);
    const forward = directoryPort === undefined ? '' : `; ACME directory ${BRIDGE_ADDRESS}:${directoryPort} → 127.0.0.1:${directoryPort}`;
    step.detail(`${did}: 127.0.0.1:${balancerPorts(settings).join(',')} → ${slots.map((s) => s.address).join(' ')}${forward}`);
  });
  await progress.step('stand-in auto scaling group', async (step) => {
    const { pid, started } = ensureSupervisor(settings, manager);
    step.detail(`supervisor ${started ? 'started' : 'running'} (pid ${pid}, log ${fleetFiles(settings).supervisorLog})`);
  });
  return writeNodeControlScript(settings);
}

/** `up --nodes N`'s node steps: bridge, manager, nodes; returns the slots. */
export async function ensureFleet(
  settings: RehearsalSettings,
  engine: Engine,
  nodes: number,
  images: readonly { readonly ref: string; readonly id: string }[],
  progress: Progress,
): Promise<{ slots: readonly NodeSlot[]; swarm: { initialized: boolean; clusterId: string; nodeId: string }; certificatesDir: string }> {
  const slots = nodeSlots(nodes);
  await progress.step(`bridge ${BRIDGE}`, async (step) => {
    step.detail(`${await ensureBridge()}, ${BRIDGE_ADDRESS}/24`);
  });
  const swarm = await progress.step('swarm manager', async (step) => {
    const found = await ensureManager(engine);
    step.detail(
      `${found.initialized ? 'initialised' : 'active'} on ${MANAGER_LISTEN}, drained (no tasks), cluster ${found.clusterId.slice(0, 12)}`,
    );
    return found;
  });
  const acmeDirectoryPortOfFleet = acmeDirectoryPort(settings);
  writeFleet(settings, {
    nodes,
    proxyPorts: balancerPorts(settings) as number[],
    // The supervisor reconfigures the load balancer (target health): it keeps the directory's forward.
    ...(acmeDirectoryPortOfFleet === undefined ? {} : { acmeDirectoryPort: acmeDirectoryPortOfFleet }),
  });
  for (const slot of slots) {
    await progress.step(`node ${slot.name}`, async (step) => {
      step.detail(await ensureNode(settings, engine, slot, images));
    });
  }
  const certificatesDir = await progress.step('shared certificate directory', async (step) => {
    const dir = await ensureSharedCertificates(settings, SERVICES.proxy.user);
    step.detail(`${dir}, owned by ${SERVICES.proxy.user}, mode 700, bind-mounted at /etc/acme on every node`);
    return dir;
  });
  return { slots, swarm, certificatesDir };
}

/** `down`'s node steps, before the manager's swarm and engine go. */
export async function downFleet(settings: RehearsalSettings, manager: Engine | undefined, progress: Progress): Promise<void> {
  // Without iproute2 no node can have been set up (up needs it).
  if (findTool('ip') === undefined) return;
  const fleet = readFleet(settings);
  // Whatever slots exist (a fleet file lost, namespaces left): every platform-node-<i> goes.
  const count = Math.max(fleet?.nodes ?? 0, ...netnsList().map((n) => Number(/^platform-node-(\d)$/.exec(n)?.[1] ?? 0)));
  const slots = nodeSlots(count);
  const leftBridge = (await runCommand('ip', ['link', 'show', BRIDGE])).code === 0;
  if (count === 0 && !leftBridge && loadBalancerPid(settings) === undefined) return;
  await progress.step('stand-in auto scaling group', async (step) => {
    step.detail((await stopSupervisor(settings)) === 'stopped' ? 'supervisor stopped' : 'supervisor not running');
  });
  await progress.step('stand-in load balancer', async (step) => {
    step.detail((await stopLoadBalancer(settings)) === 'stopped' ? 'nginx stopped' : 'not running');
  });
  if (manager !== undefined) {
    await progress.step('stack on the nodes', async (step) => {
      const env = dockerEnv(manager);
      const had = (await runCommand('docker', ['stack', 'rm', STACK_NAME], { env })).code === 0;
      const deadline = Date.now() + 60_000;
      for (const slot of slots) {
        if (nodeEnginePid(settings, slot) === undefined) continue;
        const node = nodeEngine(settings, slot);
        while (Date.now() < deadline) {
          const left = await runCommand('docker', ['ps', '-aq', '--filter', `label=${STACK_LABEL}=${STACK_NAME}`], {
            env: dockerEnv(node),
          });
          if (left.stdout.trim() === '') break;
          await sleep(POLL_MS * 2);
        }
      }
      step.detail(had ? 'removed, containers gone on every node' : 'none deployed');
    });
  }
  for (const slot of slots) {
    await progress.step(`node ${slot.name}`, async (step) => {
      const stopped = await stopNodeEngine(settings, slot);
      await removeNetns(slot);
      rmSync(nodeFiles(settings, slot).slot, { force: true });
      step.detail(`${stopped === 'stopped' ? 'dockerd stopped' : 'no dockerd'}, namespace ${slot.netns} and veth removed`);
    });
  }
  await progress.step(`bridge ${BRIDGE}`, async (step) => {
    step.detail((await removeBridge()) ? 'removed (and its iptables rule)' : 'not there');
  });
  rmSync(fleetFiles(settings).fleet, { force: true });
  rmSync(rehearsalFiles(settings).nodeControl, { force: true });
}
