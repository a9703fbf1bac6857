import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCommand } from './command';
import { dockerEnv, type Engine } from './docker-engine';
import {
  fleetFiles,
  joinNode,
  killNetns,
  nodeEngine,
  nodeEnginePid,
  nodeFiles,
  nodeSlots,
  readFleet,
  readSlotState,
  removeStaleNodes,
  startNodeEngine,
  unmountNode,
  writeSlotState,
  type NodeSlot,
} from './nodes';
import { ownProcess, sleep, stopProcess } from './processes';
import { PROXY_READINESS_PATH } from '../contract/services';
import { httpGet } from './http-check';
import { LB_HEALTH, TargetHealth } from './lb-health';
import { ensureLoadBalancer, loadBalancerUpToDate } from './load-balancer';
import type { RehearsalSettings } from './settings';
import { findTool } from './tools';

/**
 * The stand-in Auto Scaling group: a process `up` starts that watches every node's engine and,
 * when one has been gone for more than 2 s, launches a replacement in the same slot (same network
 * namespace, address and data root: the AMI with the images baked in), which joins the swarm as a
 * new node (the old node entry is removed), as an ASG replaces an unhealthy instance.
 *
 *   node --import tsx rehearsal/node-supervisor.ts <state dir> <manager DOCKER_HOST>
 */

/** An engine gone this long is replaced (the brief's 2 s). */
export const GONE_MS = 2000;
const TICK_MS = 250;

/** Marker on the supervisor's command line: only ours is ever signalled. */
const SELF = path.join(__dirname, 'node-supervisor.ts');

export function supervisorPid(settings: Pick<RehearsalSettings, 'stateDir'>): number | undefined {
  return ownProcess(fleetFiles(settings).supervisorPid, SELF);
}

/** Starts the supervisor unless it runs; returns its pid and whether it was started now. */
export function ensureSupervisor(settings: Pick<RehearsalSettings, 'stateDir'>, manager: Engine): { pid: number; started: boolean } {
  const running = supervisorPid(settings);
  if (running !== undefined) return { pid: running, started: false };
  const files = fleetFiles(settings);
  const log = openSync(files.supervisorLog, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, settings.stateDir, manager.host], {
    detached: true,
    stdio: ['ignore', log, log],
    cwd: path.resolve(__dirname, '..'),
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('the node supervisor did not start');
  writeFileSync(files.supervisorPid, `${child.pid}\n`);
  return { pid: child.pid, started: true };
}

export async function stopSupervisor(settings: Pick<RehearsalSettings, 'stateDir'>): Promise<'stopped' | 'not-running'> {
  const pid = supervisorPid(settings);
  rmSync(fleetFiles(settings).supervisorPid, { force: true });
  if (pid === undefined) return 'not-running';
  await stopProcess(pid, 10_000);
  return 'stopped';
}

/** Replaces a node whose engine is gone: clean up what is left, start a fresh engine, rejoin. */
export async function replaceNode(
  settings: Pick<RehearsalSettings, 'stateDir'>,
  manager: Engine,
  slot: NodeSlot,
  dockerd: string,
): Promise<string> {
  const before = readSlotState(settings, slot);
  await killNetns(slot);
  await unmountNode(settings, slot);
  const files = nodeFiles(settings, slot);
  // A new instance from the AMI: the images are there, the old swarm identity and containers are not.
  rmSync(path.join(files.dataRoot, 'swarm'), { recursive: true, force: true });
  await startNodeEngine(settings, slot, dockerd);
  const node = nodeEngine(settings, slot);
  await runCommand('docker', ['container', 'prune', '--force'], { env: dockerEnv(node), timeoutMs: 60_000 });
  const { nodeId } = await joinNode(manager, node, slot);
  const removed = await removeStaleNodes(manager, slot, nodeId);
  writeSlotState(settings, slot, { swarmNodeId: nodeId, replacements: before.replacements + 1, lastReplacedAt: new Date().toISOString() });
  return `${slot.name} replaced: swarm node ${nodeId} (removed ${removed.join(', ') || 'none'})`;
}

/**
 * The stand-in load balancer's health checks (lb-health.ts): every node's readiness path on the
 * proxy's HTTP port, once a second; when a node goes out of or back into service, the balancer is
 * reconfigured (nginx reload: open connections finish) and `targets.json` says who is in (rewritten
 * only when that changes).
 */
async function checkTargets(
  settings: Pick<RehearsalSettings, 'stateDir'>,
  isStopping: () => boolean,
  log: (line: string) => void,
): Promise<void> {
  const health = new TargetHealth();
  /** The targets last written: the file changes only when they do (`at` is when they last changed). */
  let written: string | undefined;
  while (!isStopping()) {
    const started = Date.now();
    const fleet = readFleet(settings);
    const port = fleet?.proxyPorts[0];
    if (fleet !== undefined && port !== undefined) {
      const slots = nodeSlots(fleet.nodes);
      const results = await Promise.all(
        slots.map(async (slot) => {
          try {
            return (
              (await httpGet(`http://${slot.address}:${port}${PROXY_READINESS_PATH}`, { timeoutMs: LB_HEALTH.timeoutMs })).status === 200
            );
          } catch {
            return false;
          }
        }),
      );
      slots.forEach((slot, i) => {
        if (health.record(slot.name, results[i] === true))
          log(
            `load balancer: ${slot.name} ${health.state(slot.name).inService ? 'back in service' : 'out of service'} (${PROXY_READINESS_PATH} ${results[i] === true ? 'ok' : 'failing'})`,
          );
      });
      const down = health.down(slots.map((s) => s.name));
      const downAddresses = new Set(slots.filter((s) => down.includes(s.name)).map((s) => s.address));
      // Compared with the file, not with the last change: an `up` meanwhile rewrites it.
      if (!loadBalancerUpToDate(settings, fleet.proxyPorts, slots, downAddresses, fleet.acmeDirectoryPort)) {
        try {
          await ensureLoadBalancer(settings, fleet.proxyPorts, slots, downAddresses, fleet.acmeDirectoryPort);
          log(`load balancer: ${down.length === 0 ? 'every node in service' : `out of service: ${down.join(', ')}`}`);
        } catch (error) {
          log(`load balancer: reconfiguring failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const targets = JSON.stringify(slots.map((s) => ({ node: s.name, address: s.address, inService: health.state(s.name).inService })));
      if (targets !== written) {
        writeFileSync(
          path.join(fleetFiles(settings).lbDir, 'targets.json'),
          `{"at":${JSON.stringify(new Date().toISOString())},"targets":${targets}}\n`,
        );
        written = targets;
      }
    }
    await sleep(Math.max(0, LB_HEALTH.intervalMs - (Date.now() - started)));
  }
}

async function supervise(stateDir: string, managerHost: string): Promise<void> {
  const settings = { stateDir };
  const manager: Engine = { host: managerHost, own: true, version: '' };
  const dockerd = findTool('dockerd') ?? 'dockerd';
  const log = (line: string): void => appendFileSync(fleetFiles(settings).supervisorLog, `${new Date().toISOString()} ${line}\n`);
  const goneSince = new Map<string, number>();
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
  });
  log(`supervising (pid ${process.pid})`);
  const checking = checkTargets(settings, () => stopping, log);
  while (!stopping) {
    const fleet = readFleet(settings);
    for (const slot of nodeSlots(fleet?.nodes ?? 0)) {
      if (stopping) break;
      if (nodeEnginePid(settings, slot) !== undefined) {
        goneSince.delete(slot.name);
        continue;
      }
      const since = goneSince.get(slot.name) ?? Date.now();
      goneSince.set(slot.name, since);
      if (Date.now() - since <= GONE_MS) continue;
      log(`${slot.name}: engine gone for ${Date.now() - since} ms, replacing`);
      try {
        log(await replaceNode(settings, manager, slot, dockerd));
        goneSince.delete(slot.name);
      } catch (error) {
        log(`${slot.name}: replacement failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await sleep(TICK_MS);
  }
  await checking;
  log('stopped');
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === SELF) {
  const [stateDir, managerHost] = process.argv.slice(2);
  if (stateDir === undefined || managerHost === undefined) {
    process.stderr.write('usage: node-supervisor <state dir> <manager DOCKER_HOST>\n');
    process.exitCode = 2;
  } else {
    void supervise(stateDir, managerHost).then(() => process.exit(0));
  }
}
