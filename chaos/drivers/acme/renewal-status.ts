import { z } from 'zod';
import type { JsonObject } from '../../../contract/json';
import { defineFault } from '../../faults/define-fault';
import { sshConnectionArgs } from '../ssh/connection-args';
import { theServiceContainer } from '../ssh/service-container';
import { HOST_AND_ORCHESTRATOR, overHost, sshTargets } from '../ssh/ssh-targets';
import { readProxyAcme, readRenewalLog, servedSerial, type RenewalEvent } from './proxy-acme';

const args = z.strictObject({ ...sshConnectionArgs });

/**
 * The last forced renewal, as the proxy's log tells it: from the force that followed a settled
 * round (a retry of a failed forced round logs "forced renewal" again, and belongs to it).
 */
export function renewalSince(events: readonly RenewalEvent[]) {
  let last = -1;
  let previousRound: RenewalEvent['kind'] | undefined;
  events.forEach((e, i) => {
    if (e.kind === 'forced' && previousRound !== 'failed') last = i;
    if (e.kind === 'failed' || e.kind === 'renewed') previousRound = e.kind;
  });
  const forced = last < 0 ? undefined : events[last];
  const rounds = events.slice(last + 1).filter((e) => e.kind === 'failed' || e.kind === 'renewed');
  const failed = rounds.filter((e): e is Extract<RenewalEvent, { kind: 'failed' }> => e.kind === 'failed');
  const renewed = rounds.find((e): e is Extract<RenewalEvent, { kind: 'renewed' }> => e.kind === 'renewed');
  const serialBefore = servedSerial(events.slice(0, Math.max(last, 0)));
  const lastRound = rounds[rounds.length - 1];
  return {
    forcedAt: forced?.at ?? null,
    failedRounds: failed.length,
    failedAt: failed.map((e) => e.at),
    retryDelaysSeconds: failed.map((e) => e.retryInSeconds),
    renewedAt: renewed?.at ?? null,
    serialBefore: forced === undefined ? null : serialBefore,
    serial: servedSerial(events),
    // Nothing forced, or its last round renewed: no renewal waits for the CA.
    settled: forced === undefined || lastRound?.kind === 'renewed',
  };
}

/**
 * `acme:renewal-status`: whether the proxy's certificate renewal is settled, from its log on the
 * host: since the last forced renewal, the failed rounds (when, and the backoff each announced)
 * and the round that renewed. `settled: true` when nothing was forced or the renewal went through.
 */
export const acmeRenewalStatus = defineFault({
  id: 'acme:renewal-status',
  kind: 'probe',
  description:
    "On the host: the proxy's certificate renewal from its log since the last forced one (failed rounds with their backoff, the round that renewed, serials); settled: true when none is forced or it went through",
  destructive: false,
  requires: HOST_AND_ORCHESTRATOR,
  args,
  targets: (_a, outputs) => sshTargets('proxy', outputs),
  describe: (_a, target) => `${overHost(target.use('host'))}: docker logs --timestamps <the proxy's one container>, its renewal lines`,
  async run(ctx, a) {
    const host = ctx.use('host').where;
    return ctx.use('host').withSession(a, ctx.signal, async (session): Promise<JsonObject> => {
      const container = await theServiceContainer(session, ctx.use('orchestrator').containerLabels('proxy'), 'proxy', host);
      const acme = await readProxyAcme(session, container.id);
      if (acme.domain === '')
        return {
          service: 'proxy',
          container: container.id,
          acme: false,
          settled: false,
          reason: 'the proxy has no DOMAIN: no certificate, no renewal',
        };
      const status = renewalSince(await readRenewalLog(session, container.id));
      return { service: 'proxy', container: container.id, acme: true, domain: acme.domain, directory: acme.directory, ...status };
    });
  },
});
