/**
 * The stand-in load balancer's target health, as the network load balancer's target groups keep it
 * (stacks/load-balancer.ts): an HTTP GET of the proxy's readiness path on each node's HTTP port, a
 * node taken out of service after `unhealthy` failed checks in a row and put back after `healthy`
 * good ones; when every node is out, all are in again (the NLB "fails open" the same way). The
 * rehearsal checks every second where the stack checks every 10 s (two failures: 20-30 s), so that
 * a rehearsed fault shows the mechanism in seconds; the README says which figures that flatters.
 *
 * Why the stand-in needs it besides nginx's passive health: a node whose proxy accepts connections
 * while its API copies are gone (swarm replaces every task of a node that rejoins after a cut, which
 * ECS does not) answers 502s that a TCP balancer cannot see; the readiness check does.
 */

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PROXY_READINESS_PATH } from '../contract/services';
import { StepFailedError } from './errors';
import { fleetFiles } from './nodes';
import { sleep } from './processes';

/** The supervisor's record of who is in service (`<state>/nodes/lb/targets.json`), by node name; empty before its first check. */
export function readTargets(lbDir: string): Map<string, boolean> {
  try {
    const parsed = JSON.parse(readFileSync(path.join(lbDir, 'targets.json'), 'utf8')) as {
      targets?: { node: string; inService: boolean }[];
    };
    return new Map((parsed.targets ?? []).map((t) => [t.node, t.inService]));
  } catch {
    return new Map();
  }
}

/**
 * How often, how long, and the thresholds; the stack's are 10 s, 5 s, 2 and 2. Out after 2 s here
 * (20-30 s on AWS: the rehearsal flatters that), back after 15 s of good checks (10-20 s on AWS):
 * a node that rejoins after a cut answers at first with the tasks swarm is about to replace (5-10 s
 * after it rejoins, measured), and must not get traffic before they are.
 */
export const LB_HEALTH = { intervalMs: 1000, timeoutMs: 1000, unhealthy: 2, healthy: 15 } as const;

export interface TargetState {
  readonly inService: boolean;
  /** Checks in a row with the same outcome. */
  readonly streak: number;
  readonly lastOk: boolean | null;
}

const FRESH: TargetState = { inService: true, streak: 0, lastOk: null };

/** One check's outcome applied to a target: its new state. */
export function nextState(
  state: TargetState,
  ok: boolean,
  thresholds: Pick<typeof LB_HEALTH, 'unhealthy' | 'healthy'> = LB_HEALTH,
): TargetState {
  const streak = state.lastOk === ok ? state.streak + 1 : 1;
  if (state.inService && !ok && streak >= thresholds.unhealthy) return { inService: false, streak, lastOk: ok };
  if (!state.inService && ok && streak >= thresholds.healthy) return { inService: true, streak, lastOk: ok };
  return { inService: state.inService, streak, lastOk: ok };
}

/** The targets' health, by node name; a node never checked is in service (registered healthy at `up`). */
export class TargetHealth {
  private readonly states = new Map<string, TargetState>();

  state(name: string): TargetState {
    return this.states.get(name) ?? FRESH;
  }

  /** Records a check; true when the node went in or out of service. */
  record(name: string, ok: boolean): boolean {
    const before = this.state(name);
    const after = nextState(before, ok);
    this.states.set(name, after);
    return before.inService !== after.inService;
  }

  /** Nodes to mark `down` in the balancer: those out of service, unless that is every node (fail open). */
  down(names: readonly string[]): string[] {
    const out = names.filter((n) => !this.state(n).inService);
    return out.length === names.length ? [] : out;
  }
}

/**
 * Waits until the supervisor's checks have every node in service (an `up` is done when users can be
 * served by every node, as a deployment behind an NLB is once its targets are healthy); returns how
 * long it took. A node still out after `timeoutMs` fails `up`, naming it.
 */
export async function waitForTargetsInService(
  settings: { readonly stateDir: string },
  slots: readonly { readonly name: string }[],
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  const files = fleetFiles(settings);
  const dir = files.lbDir;
  for (;;) {
    const targets = readTargets(dir);
    const out = slots.filter((s) => targets.get(s.name) !== true).map((s) => s.name);
    if (out.length === 0) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new StepFailedError(
        `the stand-in load balancer still has ${out.join(', ')} out of service after ${timeoutMs / 1000} s: their proxies' ${PROXY_READINESS_PATH} does not answer 200 (the checks are in ${files.supervisorLog})`,
      );
    await sleep(250);
  }
}
