import { z } from 'zod';
import { defineFault } from '../../faults/define-fault';
import { sshConnectionArgs } from '../ssh/connection-args';
import { BASE_TOOLS, describePlan, holdPlan, HOST_ONLY, netTargets, rollbackKind, type NetPlan } from './hold';
import { blackholeRules, durationSeconds, pathMatch, pathCopy, pathService } from './path-rules';
import type { PlatformOutputs } from '../../../contract/outputs';

const args = z.strictObject({
  durationSeconds,
  service: pathService,
  copy: pathCopy,
  ...sshConnectionArgs,
});

type Args = z.output<typeof args>;

function plan(a: Args, outputs: PlatformOutputs): NetPlan {
  const match = pathMatch(outputs, a.service, a.copy ?? null);
  return {
    fault: 'net:blackhole-port',
    kind: 'net-blackhole',
    match,
    durationSeconds: a.durationSeconds,
    rules: blackholeRules(match),
    tools: BASE_TOOLS,
  };
}

/**
 * `net:blackhole-port`: every packet the proxy sends to the service's port is silently dropped
 * (no RST, no ICMP: connects and requests hang, as behind a dead route) for durationSeconds.
 * Evidence: the DROP rule's packet counter, read just before it is removed.
 */
export const netBlackholePort = defineFault({
  id: 'net:blackhole-port',
  kind: 'action',
  description:
    "Silently drop every packet the proxy sends to a service's port (iptables DROP on loopback, the proxy's uid only) for durationSeconds, then remove the rule; the drop counter is the evidence",
  destructive: true,
  requires: HOST_ONLY,
  args,
  targets: (a, outputs) => netTargets(a.service, outputs, a.copy ?? null),
  describe: (a, target) => describePlan(plan(a, target.outputs), target),
  async run(ctx, a) {
    const p = plan(a, ctx.outputs);
    const { result, counters } = await holdPlan(ctx, a, p);
    const dropped = counters.filter((c) => c.target === 'DROP').reduce((sum, c) => sum + c.packets, 0);
    return { ...result, service: a.service, droppedPackets: dropped };
  },
  rollback: (ctx, a) => rollbackKind(ctx, a, 'net:blackhole-port', 'net-blackhole', BASE_TOOLS),
});
