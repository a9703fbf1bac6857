import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readRehearsalState } from './rehearsal-state';
import { readTargets } from './lb-health';
import {
  fleetFiles,
  killNetns,
  linkState,
  nodeEnginePid,
  nodeSlots,
  readFleet,
  readSlotState,
  setLink,
  swarmNodes,
  type NodeSlot,
} from './nodes';
import { rehearsalFiles, type RehearsalSettings } from './settings';

/**
 * `.rehearsal/node-control`: the host-access port the chaos drivers use on the multi-node
 * rehearsal (run on the host over SSH, like `runtimeRestart`). Each subcommand prints ONE JSON
 * object on stdout; exit 0 done, 1 failed, 2 usage.
 *
 *   node-control terminate <node>      power loss: SIGKILL every process of the node
 *   node-control cut-zone <zone>       the host side of every veth of the zone's nodes down
 *   node-control restore-zone <zone>   ... up again
 *   node-control status
 *
 * Drain and undrain go through the orchestrator (`docker node update --availability`), not here.
 */

export const NODE_CONTROL_USAGE = 'usage: node-control terminate <node> | cut-zone <zone> | restore-zone <zone> | status';

/** A usage error: exit 2, one line. */
export class UsageError extends Error {}

type Settings = Pick<RehearsalSettings, 'stateDir' | 'rehearsalDir'>;

function fleetSlots(settings: Settings): readonly NodeSlot[] {
  const fleet = readFleet(settings);
  if (fleet === undefined) throw new Error('no multi-node rehearsal is up (rehearsal up --nodes N starts one)');
  return nodeSlots(fleet.nodes);
}

export async function status(settings: Settings): Promise<object> {
  const slots = fleetSlots(settings);
  const state = readRehearsalState(rehearsalFiles(settings).state);
  const swarm = state === undefined ? new Map() : await swarmNodes({ host: state.dockerHost, own: true, version: '' });
  const targets = readTargets(fleetFiles(settings).lbDir);
  const nodes = [];
  for (const slot of slots) {
    const own = readSlotState(settings, slot);
    const entry = swarm.get(own.swarmNodeId);
    nodes.push({
      name: slot.name,
      zone: slot.zone,
      address: slot.address,
      engine: nodeEnginePid(settings, slot) === undefined ? 'gone' : 'running',
      swarmNodeId: own.swarmNodeId,
      swarmState: entry?.status ?? 'unknown',
      availability: entry?.availability ?? 'unknown',
      link: await linkState(slot.hostLink),
      replacements: own.replacements,
      // The stand-in load balancer's target health (lb-health.ts); unknown before its first check.
      loadBalancer: targets.get(slot.name) === undefined ? 'unknown' : targets.get(slot.name) ? 'in-service' : 'out-of-service',
    });
  }
  return { nodes };
}

export async function nodeControl(settings: Settings, argv: readonly string[]): Promise<object> {
  const [command, target, ...extra] = argv;
  if (extra.length > 0) throw new UsageError(NODE_CONTROL_USAGE);
  if (command === 'status' && target === undefined) return status(settings);
  if (command === 'terminate' && target !== undefined) {
    const slots = fleetSlots(settings);
    const slot = slots.find((s) => s.name === target);
    if (slot === undefined) throw new UsageError(`no node "${target}": the nodes are ${slots.map((s) => s.name).join(', ')}`);
    const killedPids = await killNetns(slot);
    return { node: slot.name, killedPids, at: new Date().toISOString() };
  }
  if ((command === 'cut-zone' || command === 'restore-zone') && target !== undefined) {
    const slots = fleetSlots(settings);
    const inZone = slots.filter((s) => s.zone === target);
    if (inZone.length === 0)
      throw new UsageError(`no zone "${target}": the zones are ${[...new Set(slots.map((s) => s.zone))].join(', ')}`);
    const want = command === 'cut-zone' ? 'down' : 'up';
    for (const slot of inZone) await setLink(slot.hostLink, want);
    const links = [];
    for (const slot of inZone) links.push({ name: slot.hostLink, state: await linkState(slot.hostLink) });
    return { zone: target, nodes: inZone.map((s) => s.name), links };
  }
  throw new UsageError(NODE_CONTROL_USAGE);
}

/** Writes `.rehearsal/node-control` (carries PATH and the state directory, as restart-engine does). */
export function writeNodeControlScript(settings: Pick<RehearsalSettings, 'stateDir' | 'rehearsalDir' | 'repoRoot'>): string {
  const file = rehearsalFiles(settings).nodeControl;
  const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;
  const script = [
    '#!/bin/sh',
    "# Written by `rehearsal up --nodes N`: the multi-node rehearsal's node control (rehearsal/node-control.ts).",
    `export PATH=${quote(process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin')}`,
    `export REHEARSAL_STATE_DIR=${quote(settings.stateDir)}`,
    `cd ${quote(settings.repoRoot)} || exit 2`,
    `exec ${quote(process.execPath)} --import tsx ${quote(path.join(settings.repoRoot, 'rehearsal', 'rehearsal.ts'))} node-control "$@"`,
    '',
  ].join('\n');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return file;
}
