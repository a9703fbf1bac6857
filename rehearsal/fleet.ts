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
import type { StackFile } from './stack-file';
import { Convergence, STACK_LABEL, stackContainers } from './swarm';
import { findTool, requireTools } from './tools';

/**
 * The multi-node parts of `rehearsal up --nodes N` and of `down` (see nodes.ts for the layout).
 */

/** The tools the multi-node rehearsal needs on top of the single-node one's. */
export function requireFleetTools(settings: Pick<RehearsalSettings, 'isRoot' | 'acme'>): void {
  if (!settings.isRoot)
    throw new PrerequisiteError('rehearsal up --nodes N (N > 1) runs as root: it creates network namespaces and dockerds');
  // The nodes' proxies cannot reach an ACME directory on the host's loopback (their 127.0.0.1 is their own).
  if (settings.acme !== undefined)
    throw new PrerequisiteError(
      'ACME mode (REHEARSAL_DOMAIN) is not supported with --nodes N > 1 yet: unset REHEARSAL_DOMAIN and REHEARSAL_ACME_DIRECTORY, or use --nodes 1',
    );
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
 * Waits until every node runs every service healthy, each node's proxy serves `/` and
 * `/api/status` at the node's address, and so does the stand-in load balancer.
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
  const port = settings.proxyPort;
  const bases = [...slots.map((s) => `http://${s.address}:${port}`), `http://127.0.0.1:${port}`];
  for (const base of bases) {
    for (const check of [
      answers(`${base}${SERVICES.proxy.healthPath}`),
      answers(`${base}/`, (body) => /<html/i.test(body)),
      answers(`${base}/api/status`, (body) => /"service"\s*:\s*"api"/.test(body)),
    ]) {
      const result = await waitUntil(check, left());
      if (result.state !== 'done') throw new StepFailedError(`${base}: ${result.reason}`);
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
    const did = await ensureLoadBalancer(settings, balancerPorts(settings), slots);
    step.detail(`${did}: 127.0.0.1:${balancerPorts(settings).join(',')} → ${slots.map((s) => s.address).join(' ')}`);
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
  writeFleet(settings, { nodes, proxyPorts: balancerPorts(settings) as number[] });
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
  rmSync(path.join(rehearsalFiles(settings).outputs, '..', 'node-control'), { force: true });
}
