import { z } from 'zod';
import { SERVICES, userIds } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import { defineFault } from '../../faults/define-fault';
import type { HostCommands } from '../../faults/ports';
import type { DriverContext } from '../../faults/types';
import { sshConnectionArgs } from '../ssh/connection-args';
import { theServiceContainer } from '../ssh/service-container';
import { HOST_AND_ORCHESTRATOR, liveHost, overHost, sshTargets } from '../ssh/ssh-targets';
import { egressRules, ourRules, type EgressRule, type Family, type ListedRule } from './egress-rules';
import { requireHostTools } from './host-tools';
import { readProxyAcme } from './proxy-acme';

const args = z.strictObject({
  durationSeconds: z
    .number()
    .int()
    .min(1)
    .max(900)
    .default(30)
    .describe(
      "Seconds the directory stays unreachable (default 30); give the activity a timeout above it (the provider's timeout, default 60)",
    ),
  mode: z
    .enum(['reject', 'drop'])
    .default('reject')
    .describe('reject: a TCP reset, lego fails at once (default); drop: silence, lego waits for its timeout'),
  ...sshConnectionArgs,
});

type Args = z.output<typeof args>;

/** The proxy's uid: its task definition's and stack file's `user`. */
const PROXY_UID = userIds(SERVICES.proxy.user).uid;
/** The host-side remover fires this long after the hold should have ended: only when the run died. */
const REMOVER_MARGIN_SECONDS = 15;
/** The host-side remover's tag; the kill script builds it from two halves so that it never matches itself. */
const REMOVER_TAG = 'platform-chaos-acme-unblock';

/** Deletes one rule, as often as it is there. */
const REMOVER_SCRIPT = 'sleep "$1"; shift; fam=$1; shift; while "$fam" -w -D OUTPUT "$@" 2>/dev/null; do :; done';
/** Starts the remover in a session of its own, bounded by timeout, detached from ours. */
const ARM_SCRIPT = `remover=$1; limit=$2; shift 2; setsid -f timeout "$limit" sh -c "$remover" ${REMOVER_TAG} "$@" </dev/null >/dev/null 2>&1`;
/** Ends the removers (timeout passes the TERM to its group: the sh and its sleep). */
const KILL_SCRIPT =
  'tag=platform-chaos-acme; tag="$tag-unblock"; n=0; for p in $(pgrep -f -- "$tag"); do kill "$p" 2>/dev/null && n=$((n + 1)); done; echo "$n"';

async function listOurs(session: HostCommands, family: Family): Promise<readonly ListedRule[]> {
  const result = await session.exec([family, '-w', '-v', '-S', 'OUTPUT']);
  if (result.code !== 0) throw new ActivityFailedError(`"${result.command}" exited with ${String(result.code)}: ${result.stderr.trim()}`);
  return ourRules(family, result.stdout, PROXY_UID);
}

async function must(session: HostCommands, words: readonly string[]): Promise<void> {
  const result = await session.exec(words);
  if (result.code !== 0) throw new ActivityFailedError(`"${result.command}" exited with ${String(result.code)}: ${result.stderr.trim()}`);
}

/** What a removal took away: each rule with the counters it had, and the removers ended. */
type Removal = {
  removed: { family: Family; rule: string; packets: number; bytes: number }[];
  removersEnded: number;
};

/** Removes every rule of ours in the families, and the removers; fails when one is left. */
async function removeOurs(session: HostCommands, families: readonly Family[]): Promise<Removal> {
  const removed: Removal['removed'][number][] = [];
  for (const family of families) {
    for (const rule of await listOurs(session, family)) {
      await must(session, [family, '-w', ...rule.deleteWords]);
      removed.push({ family, rule: rule.rule, packets: rule.packets, bytes: rule.bytes });
    }
  }
  const killed = await session.exec(['sh', '-c', KILL_SCRIPT, 'platform-chaos-acme-cleanup']);
  const left: string[] = [];
  for (const family of families) left.push(...(await listOurs(session, family)).map((r) => r.rule));
  if (left.length > 0) throw new ActivityFailedError(`rules of ours still in OUTPUT after removal: ${left.join('; ')}`);
  return { removed, removersEnded: Number(killed.stdout.trim()) || 0 };
}

/** A session that is not cut by the run's signal: the undo must happen after an interruption too. */
function undoSignal(): AbortSignal {
  return AbortSignal.timeout(60_000);
}

function familiesOf(rules: readonly EgressRule[]): readonly Family[] {
  return [...new Set(rules.map((r) => r.family))];
}

async function applyBlock(ctx: DriverContext, a: Args, session: HostCommands) {
  const host = ctx.use('host').where;
  const container = await theServiceContainer(session, ctx.use('orchestrator').containerLabels('proxy'), 'proxy', host);
  ctx.guard([{ kind: 'container', container: ctx.outputs.services.proxy.containerName }]);
  const acme = await readProxyAcme(session, container.id);
  if (acme.domain === '')
    throw new ActivityFailedError(
      `the proxy (${container.name}) has no DOMAIN: it runs no ACME renewal to cut off (start the rehearsal in ACME mode, rehearsal/README.md)`,
    );
  const rules = egressRules(acme.directory, PROXY_UID, a.mode);
  await requireHostTools(session, host, [...familiesOf(rules), 'setsid', 'timeout', 'pgrep']);
  const limit = a.durationSeconds + REMOVER_MARGIN_SECONDS;
  for (const rule of rules) {
    // The remover first: a rule is never there without something to take it away.
    await must(session, [
      'sh',
      '-c',
      ARM_SCRIPT,
      'platform-chaos-acme-arm',
      REMOVER_SCRIPT,
      String(limit + 5),
      String(limit),
      rule.family,
      ...rule.spec,
    ]);
    await must(session, [rule.family, '-w', '-I', 'OUTPUT', '1', ...rule.spec]);
  }
  const listed: ListedRule[] = [];
  for (const family of familiesOf(rules)) listed.push(...(await listOurs(session, family)));
  if (listed.length < rules.length)
    throw new ActivityFailedError(`inserted ${rules.length} rules, but OUTPUT lists ${listed.length} of ours`);
  return { container, acme, rules, listed };
}

/**
 * `acme:block-directory`: for `durationSeconds`, the proxy cannot reach its ACME directory; the
 * rest of the host's traffic, and the proxy's own serving, are untouched. Duration-bound: it holds,
 * then removes its rules and returns their counters (the packets they refused, the evidence that
 * the proxy tried). A host-side remover takes them away even when the run dies; the rollback too.
 */
export const acmeBlockDirectory = defineFault({
  id: 'acme:block-directory',
  kind: 'action',
  description:
    "For durationSeconds, the proxy's ACME directory unreachable for the proxy alone: an iptables OUTPUT rule on the host (TCP from the proxy's uid to the directory's port, read from its container's ACME_DIRECTORY; tagged platform-chaos), removed after with its counters",
  destructive: true,
  requires: HOST_AND_ORCHESTRATOR,
  args,
  targets: (_a, outputs) => sshTargets('proxy', outputs),
  describe: (a, target) =>
    `${overHost(target.use('host'))}: iptables -I OUTPUT 1 -p tcp -m owner --uid-owner ${PROXY_UID} <the address and port of the proxy's ACME_DIRECTORY (docker inspect)> -m comment --comment platform-chaos -j ${a.mode === 'reject' ? 'REJECT --reject-with tcp-reset' : 'DROP'}, for ${a.durationSeconds} s, then -D (a host-side remover after ${a.durationSeconds + REMOVER_MARGIN_SECONDS} s if the run dies)`,
  live: (_a, target, signal) => liveHost('block the ACME directory for', 'proxy', target, signal),
  async run(ctx, a) {
    const hostAccess = ctx.use('host');
    const applied = await hostAccess.withSession(a, ctx.signal, (session) => applyBlock(ctx, a, session));
    const appliedAt = ctx.clock.now();
    ctx.log.info(
      `ACME directory ${applied.acme.directory} blocked for uid ${PROXY_UID} on ${hostAccess.where} for ${a.durationSeconds} s (${applied.rules.length} rule${applied.rules.length === 1 ? '' : 's'})`,
    );
    let interrupted: unknown = null;
    try {
      await ctx.clock.sleep(a.durationSeconds * 1000, ctx.signal);
    } catch (error) {
      interrupted = error;
    }
    const undone = await hostAccess.withSession(a, undoSignal(), (session) => removeOurs(session, familiesOf(applied.rules)));
    const removedAt = ctx.clock.now();
    if (interrupted !== null) throw interrupted;
    return {
      service: 'proxy',
      host: hostAccess.where,
      container: applied.container.id,
      directory: applied.acme.directory,
      uid: PROXY_UID,
      mode: a.mode,
      rules: applied.listed.map((r) => r.rule),
      appliedAt: new Date(appliedAt).toISOString(),
      removedAt: new Date(removedAt).toISOString(),
      heldMs: removedAt - appliedAt,
      // What the rules refused while they held: the proxy's attempts to reach its CA.
      blockedPackets: undone.removed.reduce((sum, r) => sum + r.packets, 0),
      removed: undone.removed,
      removersEnded: undone.removersEnded,
      left: 0,
    };
  },
  async rollback(ctx, a) {
    return ctx.use('host').withSession(a, undoSignal(), async (session) => {
      const families: Family[] = ['iptables'];
      const has6 = await session.exec(['sh', '-c', 'command -v ip6tables >/dev/null 2>&1', 'platform-chaos-tools']);
      if (has6.code === 0) families.push('ip6tables');
      return removeOurs(session, families);
    });
  },
});
