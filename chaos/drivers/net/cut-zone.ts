import { z } from 'zod';
import type { JsonObject } from '../../../contract/json';
import { ActivityFailedError } from '../../errors';
import { commandLine } from '../../faults/command-words';
import { defineFault } from '../../faults/define-fault';
import type { HostAccessOptions, HostCommands, ZoneLinks } from '../../faults/ports';
import type { DriverContext } from '../../faults/types';
import { describeNodeControl } from '../ec2/fleet-nodes';
import { sshConnectionArgs } from '../ssh/connection-args';
import { launchWords, WATCHDOG_GRACE_SECONDS } from './hold';

const FAULT = 'net:cut-zone';

const args = z.strictObject({
  zone: z
    .string()
    .regex(/^zone-[a-z]$/, 'expected a zone of the rehearsal: zone-a, zone-b, …')
    .describe('The zone whose nodes are cut off (the node label `zone`: zone-a for odd nodes, zone-b for even ones)'),
  durationSeconds: z.number().int().min(1).max(600).default(30).describe('Seconds the zone stays cut off (default 30)'),
  ...sshConnectionArgs,
});

type Args = z.output<typeof args>;

/** The argv tag of the host-side watchdog that restores the zone if the run dies. */
export const ZONE_WATCHDOG_TAG = 'platform-chaos-zone-watchdog';
/** How long the restore may take once the hold ends, whatever the run's signal says (it must happen). */
const RESTORE_TIMEOUT_MS = 60_000;

/** `watchdog <seconds> <restore words…>`: sleeps, then restores; killed (its session) by the fault's own restore. */
const WATCHDOG_SCRIPT = 'sleep "$1"; shift; exec "$@"';
/** Kills every watchdog session (the pattern bracketed, so it never matches its own shell). */
const KILL_WATCHDOGS = `for p in $(pgrep -f -- "[${ZONE_WATCHDOG_TAG.slice(0, 1)}]${ZONE_WATCHDOG_TAG.slice(1)}"); do kill -s TERM -- "-$p" 2>/dev/null; kill -s TERM "$p" 2>/dev/null; echo "killed $p"; done; true`;

export function watchdogWords(seconds: number, restore: readonly string[]): string[] {
  return launchWords('/dev/null', ['sh', '-c', WATCHDOG_SCRIPT, ZONE_WATCHDOG_TAG, String(seconds), ...restore]);
}

// Its own name must not contain the tag, or the pattern would match this very shell.
export const KILL_WATCHDOG_WORDS: readonly string[] = ['sh', '-c', KILL_WATCHDOGS, 'platform-chaos-stop-zone-watchdogs'];

function allLinks(result: ZoneLinks, state: 'up' | 'down'): boolean {
  return result.links.length > 0 && result.links.every((l) => l.state.toLowerCase() === state);
}

async function killWatchdogs(ctx: DriverContext, a: HostAccessOptions, signal: AbortSignal): Promise<number> {
  return ctx.use('host').withSession(a, signal, async (session: HostCommands) => {
    const out = await session.exec(KILL_WATCHDOG_WORDS);
    return out.stdout.split('\n').filter((l) => l.startsWith('killed ')).length;
  });
}

async function restore(ctx: DriverContext, a: Args, signal: AbortSignal): Promise<JsonObject> {
  const links = await ctx.use('nodes').zoneLinks(a, signal, a.zone, 'restore');
  const watchdogsStopped = await killWatchdogs(ctx, a, signal);
  if (!allLinks(links, 'up'))
    throw new ActivityFailedError(`${FAULT}: node-control restore-zone ${a.zone} left links not up: ${JSON.stringify(links.links)}`);
  return { ...links, watchdogsStopped };
}

/**
 * `net:cut-zone`: the nodes of one zone of the multi-node rehearsal cut off the network (the host
 * side of each of their links down, `node-control cut-zone`), held for `durationSeconds`, then
 * restored (`restore-zone`) whatever happens: on an interruption at once, and by a host-side
 * watchdog started before the cut if the run dies; the rollback restores again (idempotent), also
 * from `chaos rollback`. Evidence: the links down, then up.
 *
 * AWS: refused. Cutting a zone's subnets off needs a network ACL swapped onto them
 * (ec2:CreateNetworkAcl, ec2:ReplaceNetworkAclAssociation) or AWS FIS, neither of which the chaos
 * operator policy grants or the stack creates; a NACL left in place by a dead run would cut the
 * zone until someone noticed. See chaos/README.md.
 */
export const netCutZone = defineFault({
  id: 'net:cut-zone',
  kind: 'action',
  description:
    'Cut the nodes of one zone of the multi-node rehearsal off the network (node-control cut-zone), restore them after durationSeconds, on interruption, by a host-side watchdog and in rollbacks (restore-zone). AWS: refused (a subnet NACL swap or FIS, which the chaos operator policy does not grant)',
  destructive: true,
  requires: [
    {
      port: 'nodes',
      why: 'it cuts the links of the multi-node rehearsal (`npm run rehearsal:up -- --nodes 3`); on AWS cutting a zone off needs a subnet network ACL swap or AWS FIS, which the chaos operator policy does not grant (chaos/README.md)',
    },
    // The watchdog is started over it.
    { port: 'host' },
  ],
  args,
  targets: (a, outputs) => [
    { kind: 'host', host: outputs.sshHost },
    { kind: 'zone', zone: a.zone },
  ],
  describe: (a, target) =>
    describeNodeControl(
      target,
      target.use('nodes').words('cut-zone', a.zone),
      `every link of ${a.zone}'s nodes down for ${a.durationSeconds} s, then ${commandLine(target.use('nodes').words('restore-zone', a.zone))}; a host-side watchdog restores it ${WATCHDOG_GRACE_SECONDS} s later if the run dies`,
    ),
  async run(ctx, a): Promise<JsonObject> {
    ctx.guard([{ kind: 'zone', zone: a.zone }]);
    const fleet = ctx.use('nodes');
    const zoneNodes = fleet.nodes.filter((n) => n.zone === a.zone).map((n) => n.name);
    ctx.guard(zoneNodes.map((node) => ({ kind: 'node', node })));
    const startedAt = ctx.clock.now();
    let cut: ZoneLinks | null = null;
    try {
      await ctx.use('host').withSession(a, ctx.signal, async (session) => {
        const started = await session.exec(watchdogWords(a.durationSeconds + WATCHDOG_GRACE_SECONDS, fleet.words('restore-zone', a.zone)));
        if (started.code !== 0 || !/^pid \d+$/m.test(started.stdout))
          throw new ActivityFailedError(`${FAULT}: the watchdog did not start on the host: ${started.stderr.trim().split('\n')[0] ?? ''}`);
      });
      cut = await fleet.zoneLinks(a, ctx.signal, a.zone, 'cut');
    } catch (error) {
      await restore(ctx, a, AbortSignal.timeout(RESTORE_TIMEOUT_MS)).catch((e: unknown) =>
        ctx.log.warn(`${FAULT}: restore after a failed cut failed too: ${String(e)}`),
      );
      throw error;
    }
    const cutAt = ctx.clock.now();
    ctx.log.info(`${FAULT}: ${a.zone} cut off (${zoneNodes.join(', ')}), holding ${a.durationSeconds} s`);
    let interrupted = false;
    try {
      if (!allLinks(cut, 'down'))
        throw new ActivityFailedError(`${FAULT}: node-control cut-zone ${a.zone} left links not down: ${JSON.stringify(cut.links)}`);
      await ctx.clock.sleep(a.durationSeconds * 1000, ctx.signal);
    } catch (error) {
      interrupted = true;
      if (!ctx.signal.aborted) {
        await restore(ctx, a, AbortSignal.timeout(RESTORE_TIMEOUT_MS));
        throw error;
      }
    }
    const restored = await restore(ctx, a, AbortSignal.timeout(RESTORE_TIMEOUT_MS));
    const restoredAt = ctx.clock.now();
    if (interrupted) {
      ctx.log.warn(`${FAULT}: interrupted after ${(restoredAt - cutAt) / 1000} s; ${a.zone} restored`);
      throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error(String(ctx.signal.reason));
    }
    return {
      zone: a.zone,
      nodes: zoneNodes,
      startedAt: new Date(startedAt).toISOString(),
      cutAt: new Date(cutAt).toISOString(),
      restoredAt: new Date(restoredAt).toISOString(),
      heldSeconds: (restoredAt - cutAt) / 1000,
      linksDown: cut,
      linksUp: restored,
    };
  },
  async rollback(ctx, a): Promise<JsonObject> {
    ctx.guard([{ kind: 'zone', zone: a.zone }]);
    return restore(ctx, a, ctx.signal);
  },
});
