import { z } from 'zod';
import { defineFault } from '../../faults/define-fault';
import { sshConnectionArgs } from '../ssh/connection-args';
import { BASE_TOOLS, describePlan, holdPlan, HOST_ONLY, netTargets, rollbackKind, type NetPlan } from './hold';
import { durationSeconds, lossRules, pathMatch, pathCopy, pathService } from './path-rules';
import type { PlatformOutputs } from '../../../contract/outputs';

const args = z.strictObject({
  durationSeconds,
  lossPercent: z.number().min(0.01).max(100).describe('Percent of the packets dropped, each drawn at random (0.01-100)'),
  service: pathService,
  copy: pathCopy,
  ...sshConnectionArgs,
});

type Args = z.output<typeof args>;

function plan(a: Args, outputs: PlatformOutputs): NetPlan {
  const match = pathMatch(outputs, a.service, a.copy ?? null);
  return {
    fault: 'net:drop-packets',
    kind: 'net-loss',
    match,
    durationSeconds: a.durationSeconds,
    rules: lossRules(match, a.lossPercent),
    tools: BASE_TOOLS,
  };
}

/** Packets the counting rule saw and the DROP rule dropped, from the counters read before removal. */
export function lossFigures(counters: readonly { target: string | null; packets: number }[]): {
  seenPackets: number;
  droppedPackets: number;
  droppedPercent: number | null;
} {
  const seen = counters.filter((c) => c.target === null).reduce((sum, c) => sum + c.packets, 0);
  const dropped = counters.filter((c) => c.target === 'DROP').reduce((sum, c) => sum + c.packets, 0);
  return { seenPackets: seen, droppedPackets: dropped, droppedPercent: seen === 0 ? null : Math.round((dropped / seen) * 10000) / 100 };
}

/**
 * `net:drop-packets`: each packet the proxy sends to the service's port is dropped with
 * probability lossPercent/100 (iptables statistic, random mode) for durationSeconds. A second
 * rule above it only counts, so the journal has both the packets seen and the packets dropped.
 */
export const netDropPackets = defineFault({
  id: 'net:drop-packets',
  kind: 'action',
  description:
    "Drop lossPercent % of the packets the proxy sends to a service's port, at random (iptables statistic on loopback, the proxy's uid only), for durationSeconds; packets seen and dropped are the evidence",
  destructive: true,
  requires: HOST_ONLY,
  args,
  targets: (a, outputs) => netTargets(a.service, outputs, a.copy ?? null),
  describe: (a, target) => describePlan(plan(a, target.outputs), target),
  async run(ctx, a) {
    const { result, counters } = await holdPlan(ctx, a, plan(a, ctx.outputs));
    return { ...result, service: a.service, lossPercent: a.lossPercent, ...lossFigures(counters) };
  },
  rollback: (ctx, a) => rollbackKind(ctx, a, 'net:drop-packets', 'net-loss', BASE_TOOLS),
});
