import { z } from 'zod';
import { ActivityFailedError } from '../../errors';
import { defineFault } from '../../faults/define-fault';
import { sshConnectionArgs } from '../ssh/connection-args';
import { remoteDocker, theServiceContainer } from '../ssh/service-container';
import { HOST_AND_ORCHESTRATOR, liveHost, overHost, sshTargets } from '../ssh/ssh-targets';
import { readProxyAcme, readRenewalLog, servedSerial } from './proxy-acme';

const args = z.strictObject({
  confirmSeconds: z
    .number()
    .min(0)
    .max(60)
    .default(10)
    .describe("Seconds to wait for the proxy's log to say it started the forced renewal (default 10; 0: do not wait)"),
  ...sshConnectionArgs,
});

const POLL_MS = 200;

/**
 * `acme:force-renewal`: SIGUSR1 to the proxy's container, which docker/proxy/entrypoint.sh turns
 * into a forced renewal in its renewal loop, the loop that retries failed rounds with backoff
 * (`entrypoint.sh renew --force` would try once and give up). The container is signalled, not
 * stopped: nothing is recorded for the probes to see replaced. Confirmed by the proxy's own log.
 */
export const acmeForceRenewal = defineFault({
  id: 'acme:force-renewal',
  kind: 'action',
  description:
    "Force the proxy to renew its certificate now: SIGUSR1 to its container on the host (its renewal loop, which retries failed rounds with backoff), confirmed by the proxy's log",
  destructive: true,
  requires: HOST_AND_ORCHESTRATOR,
  args,
  targets: (_a, outputs) => sshTargets('proxy', outputs),
  describe: (a, target) =>
    `${overHost(target.use('host'))}: docker kill --signal SIGUSR1 <the proxy's one container>, then its log until it says "forced renewal" (at most ${a.confirmSeconds} s)`,
  live: (_a, target, signal) => liveHost('signal a forced renewal to', 'proxy', target, signal),
  async run(ctx, a) {
    const host = ctx.use('host').where;
    return ctx.use('host').withSession(a, ctx.signal, async (session) => {
      const container = await theServiceContainer(session, ctx.use('orchestrator').containerLabels('proxy'), 'proxy', host);
      ctx.guard([{ kind: 'container', container: ctx.outputs.services.proxy.containerName }]);
      const acme = await readProxyAcme(session, container.id);
      if (acme.domain === '')
        throw new ActivityFailedError(
          `the proxy (${container.name}) has no DOMAIN: it has no certificate to renew (start the rehearsal in ACME mode, rehearsal/README.md)`,
        );
      const before = await readRenewalLog(session, container.id);
      const forcedBefore = before.filter((e) => e.kind === 'forced').length;
      ctx.log.info(`docker kill --signal SIGUSR1 ${container.name} (${container.id}) on ${host}: forced renewal`);
      await remoteDocker(session, ['docker', 'kill', '--signal', 'SIGUSR1', container.id]);
      const signalledAt = ctx.clock.now();
      let confirmedAt: number | null = null;
      while (a.confirmSeconds > 0 && ctx.clock.now() - signalledAt < a.confirmSeconds * 1000) {
        const events = await readRenewalLog(session, container.id);
        if (events.filter((e) => e.kind === 'forced').length > forcedBefore) {
          confirmedAt = ctx.clock.now();
          break;
        }
        await ctx.clock.sleep(POLL_MS, ctx.signal);
      }
      if (a.confirmSeconds > 0 && confirmedAt === null)
        throw new ActivityFailedError(`the proxy's log says no "forced renewal" within ${a.confirmSeconds} s of SIGUSR1`);
      return {
        service: 'proxy',
        host,
        container: container.id,
        domain: acme.domain,
        directory: acme.directory,
        signal: 'SIGUSR1',
        signalledAt: new Date(signalledAt).toISOString(),
        confirmedAfterMs: confirmedAt === null ? null : confirmedAt - signalledAt,
        // The certificate served when the renewal was forced, by the proxy's log.
        serialBefore: servedSerial(before),
      };
    });
  },
});
