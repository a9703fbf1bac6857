import { z } from 'zod';
import { defineFault } from '../../faults/define-fault';
import { commandLine } from '../../faults/command-words';
import { sshConnectionArgs } from '../ssh/connection-args';
import { DELAYER_SCRIPT, parseDelayerCounters } from './delayer-script';
import { BASE_TOOLS, describePlan, holdPlan, HOST_ONLY, netTargets, rollbackKind, WATCHDOG_GRACE_SECONDS, type NetPlan } from './hold';
import { DELAY_QUEUE, delayRules, durationSeconds, helperOutputFile, pathMatch, pathCopy, pathService, tagOf } from './path-rules';
import type { PlatformOutputs } from '../../../contract/outputs';

const args = z
  .strictObject({
    durationSeconds,
    delayMs: z.number().int().min(1).max(60_000).describe('Milliseconds each packet is held (1-60000)'),
    jitterMs: z.number().int().min(0).max(60_000).default(0).describe('Each packet held delayMs ± up to this, uniformly (default 0)'),
    service: pathService,
    copy: pathCopy,
    ...sshConnectionArgs,
  })
  .refine((a) => a.jitterMs <= a.delayMs, { message: 'jitterMs must not exceed delayMs', path: ['jitterMs'] });

type Args = z.output<typeof args>;

const TOOLS = [...BASE_TOOLS, 'python3', 'timeout'];

/** The delayer's command line on the host: bounded by `timeout`, tagged in its argv. */
export function delayerWords(a: Pick<Args, 'durationSeconds' | 'delayMs' | 'jitterMs'>): string[] {
  return [
    'timeout',
    '-s',
    'TERM',
    String(a.durationSeconds + WATCHDOG_GRACE_SECONDS),
    'python3',
    '-c',
    DELAYER_SCRIPT,
    tagOf('net-delay'),
    String(DELAY_QUEUE),
    String(a.delayMs),
    String(a.jitterMs),
  ];
}

function plan(a: Args, outputs: PlatformOutputs): NetPlan {
  const match = pathMatch(outputs, a.service, a.copy ?? null);
  return {
    fault: 'net:delay-port',
    kind: 'net-delay',
    match,
    durationSeconds: a.durationSeconds,
    rules: delayRules(match),
    tools: TOOLS,
    helper: { words: delayerWords(a), ready: /^bound queue \d+/, failed: /^error /, outFile: helperOutputFile('net-delay') },
  };
}

/**
 * `net:delay-port`: every packet the proxy sends to the service's port is held delayMs (± jitter)
 * before it goes on: an NFQUEUE rule hands it to a small delayer (python3, standard library, run on
 * the host: see delayer-script.ts), which gives the ACCEPT verdict once the time is up. No netem is
 * needed. Evidence: the rule's counter and the delayer's own count of packets delayed.
 */
export const netDelayPort = defineFault({
  id: 'net:delay-port',
  kind: 'action',
  description:
    "Hold every packet the proxy sends to a service's port delayMs (± jitterMs) for durationSeconds: iptables NFQUEUE on loopback (the proxy's uid only) and a python3 delayer on the host; packets delayed are the evidence",
  destructive: true,
  requires: HOST_ONLY,
  args,
  targets: (a, outputs) => netTargets(a.service, outputs, a.copy ?? null),
  describe: (a, target) => {
    const words = delayerWords(a).map((w) => (w === DELAYER_SCRIPT ? '<delayer.py>' : w));
    return describePlan(plan(a, target.outputs), target, `start ${commandLine(words)} (detached), then `);
  },
  async run(ctx, a) {
    const { result, counters, cleanup } = await holdPlan(ctx, a, plan(a, ctx.outputs));
    const delayer = parseDelayerCounters(cleanup.output);
    return {
      ...result,
      service: a.service,
      delayMs: a.delayMs,
      jitterMs: a.jitterMs,
      queuedPackets: counters.filter((c) => c.target === 'NFQUEUE').reduce((sum, c) => sum + c.packets, 0),
      delayedPackets: delayer?.delayed ?? null,
      delayer: delayer === null ? null : { ...delayer },
    };
  },
  rollback: (ctx, a) => rollbackKind(ctx, a, 'net:delay-port', 'net-delay', TOOLS),
});
