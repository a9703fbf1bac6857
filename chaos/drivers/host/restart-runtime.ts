import { z } from 'zod';
import { parseRuntimeRestart } from '../../../contract/runtime-restart';
import { SERVICE_NAMES, type ServiceName } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import { commandLine } from '../../faults/command-words';
import { defineFault } from '../../faults/define-fault';
import type { DriverContext } from '../../faults/types';
import { sshConnectionArgs } from '../ssh/connection-args';
import { overHost } from '../ssh/ssh-targets';

const args = z.strictObject({
  watchSeconds: z
    .number()
    .int()
    .min(0)
    .max(600)
    .default(120)
    .describe("Seconds to watch each service's health path on the host until it answers again (default 120; 0: do not watch)"),
  pollMs: z.number().int().min(50).max(10_000).default(200).describe('Milliseconds between two looks at a service (default 200)'),
  ...sshConnectionArgs,
});

type Args = z.output<typeof args>;

/** What one service did around the restart, in ms since the restart command was sent. */
type Watch = {
  service: ServiceName;
  /** The first look that got no 200 (the service went down), null if none did. */
  downAfterMs: number | null;
  /** The first 200 after it was down: the time to recover. */
  answeredAfterMs: number | null;
  looks: number;
};

/** Looks at each service's health path on the host until it was down and answers again, or time runs out. */
function watchServices(ctx: DriverContext, a: Args, since: () => number | null, until: number, stop: AbortSignal): Promise<Watch[]> {
  const host = ctx.use('host');
  return Promise.all(
    SERVICE_NAMES.map(async (service): Promise<Watch> => {
      const { port, healthPath } = ctx.outputs.services[service];
      const watch: Watch = { service, downAfterMs: null, answeredAfterMs: null, looks: 0 };
      while (ctx.clock.now() < until && !stop.aborted) {
        let ok: boolean;
        try {
          ok = (await host.httpGet(a, stop, { port, path: healthPath, timeoutMs: 1000 })).status === 200;
        } catch {
          ok = false;
        }
        watch.looks += 1;
        const start = since();
        if (start !== null) {
          const at = ctx.clock.now() - start;
          if (!ok && watch.downAfterMs === null) watch.downAfterMs = Math.max(0, at);
          if (ok && watch.downAfterMs !== null) {
            watch.answeredAfterMs = at;
            return watch;
          }
        }
        await ctx.clock.sleep(a.pollMs, stop).catch(() => undefined);
      }
      return watch;
    }),
  );
}

/**
 * `host:restart-runtime`: the container runtime restarted on the host, as an operator's
 * `systemctl restart docker` (AWS) or the rehearsal's own dockerd restarted: every container stops
 * with the daemon, and the orchestrator must bring the three services back by itself. Evidence:
 * the daemon's pid and start time before and after, and, watched on the host, when each service
 * went down and answered again.
 */
export const hostRestartRuntime = defineFault({
  id: 'host:restart-runtime',
  kind: 'action',
  description:
    "Restart the container runtime on the host (systemctl restart docker on AWS, the rehearsal's own dockerd locally); records the daemon's pid and start time before and after, and when each service answers again on the host",
  destructive: true,
  requires: [{ port: 'host' }, { port: 'orchestrator' }],
  args,
  targets: (_a, outputs) => [
    { kind: 'host', host: outputs.sshHost },
    ...SERVICE_NAMES.map((s) => ({ kind: 'service' as const, service: outputs.services[s].serviceName })),
  ],
  describe: (a, target) => {
    const restart = target.use('orchestrator').runtimeRestart();
    // A one-line command is shown whole; a script by what it does (it is in the journal when it runs).
    const what = !restart.ok
      ? `refused: ${restart.refused}`
      : restart.words.some((w) => w.includes('\n'))
        ? `${restart.what}, by a script printing the daemon's pid and start time before and after`
        : `${commandLine(restart.words)} (${restart.what})`;
    return `${overHost(target.use('host'))}: ${what}; then GET each service's health path on the host every ${a.pollMs} ms for at most ${a.watchSeconds} s`;
  },
  async run(ctx, a) {
    const restart = ctx.use('orchestrator').runtimeRestart();
    if (!restart.ok) throw new ActivityFailedError(`host:restart-runtime: ${restart.refused}`);
    ctx.guard([{ kind: 'host', host: ctx.outputs.sshHost }]);
    const host = ctx.use('host');
    let sentAt: number | null = null;
    const stopWatching = new AbortController();
    const onAbort = (): void => stopWatching.abort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    // The watch starts before the restart, so that the moment each service goes down is seen.
    const watching =
      a.watchSeconds > 0
        ? watchServices(ctx, a, () => sentAt, ctx.clock.now() + a.watchSeconds * 1000 + 60_000, stopWatching.signal)
        : Promise.resolve([]);
    let result;
    try {
      ctx.log.info(`restarting the container runtime on ${host.where}: ${restart.what}`);
      result = await host.withSession(a, ctx.signal, (session) => {
        sentAt = ctx.clock.now();
        return session.exec(restart.words);
      });
    } catch (error) {
      stopWatching.abort();
      await watching;
      throw error;
    }
    const restartedAt = ctx.clock.now();
    const started = sentAt ?? restartedAt;
    if (result.code !== 0) {
      stopWatching.abort();
      await watching;
      throw new ActivityFailedError(
        `the runtime restart exited with ${String(result.code)}: ${(result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' ')}`,
      );
    }
    const daemon = parseRuntimeRestart(result.stdout);
    if (daemon === undefined) {
      stopWatching.abort();
      await watching;
      throw new ActivityFailedError(`the runtime restart printed no "before"/"after" lines: ${result.stdout.trim().slice(0, 300)}`);
    }
    // The watch ends watchSeconds after the restart command returned.
    setTimeout(
      () => stopWatching.abort(),
      Math.max(0, started + a.watchSeconds * 1000 + (restartedAt - started) - ctx.clock.now()),
    ).unref();
    const services = await watching;
    ctx.signal.removeEventListener('abort', onAbort);
    if (ctx.signal.aborted) throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new ActivityFailedError('interrupted');
    const restartedDaemon =
      daemon.after.pid > 0 && (daemon.after.pid !== daemon.before.pid || daemon.after.startedAt !== daemon.before.startedAt);
    if (!restartedDaemon)
      throw new ActivityFailedError(
        `the runtime did not restart: pid ${daemon.before.pid} started ${daemon.before.startedAt ?? '?'} before, pid ${daemon.after.pid} started ${daemon.after.startedAt ?? '?'} after`,
      );
    return {
      host: host.where,
      what: restart.what,
      command: result.command.slice(0, 500),
      sentAt: new Date(started).toISOString(),
      restartTookMs: restartedAt - started,
      daemonBefore: { pid: daemon.before.pid, startedAt: daemon.before.startedAt },
      daemonAfter: { pid: daemon.after.pid, startedAt: daemon.after.startedAt },
      services,
      // All three went down and answered again by themselves within the watch.
      allAnsweredAgain: a.watchSeconds > 0 && services.every((s) => s.answeredAfterMs !== null),
    };
  },
});
