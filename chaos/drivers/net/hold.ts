import type { JsonObject } from '../../../contract/json';
import { copiesOf, type PlatformOutputs } from '../../../contract/outputs';
import { ActivityFailedError } from '../../errors';
import { commandLine } from '../../faults/command-words';
import type { HostAccessOptions, HostCommands } from '../../faults/ports';
import type { DriverContext, FaultId, TargetView } from '../../faults/types';
import type { TargetRef } from '../../targets/blast-radius';
import { overHost } from '../ssh/ssh-targets';
import { CHECK_SCRIPT, CLEANUP_SCRIPT, LAUNCH_SCRIPT, parseCheck, parseCleanup, type CleanupReport } from './host-scripts';
import { insertWords, LIST_WORDS, parseCounters, tagOf, type NetKind, type PathMatch, type RuleCounter, type RuleSpec } from './path-rules';

/** Tools every network fault runs on the host, and where they come from on Amazon Linux 2023. */
const PACKAGES: Readonly<Record<string, string>> = {
  iptables: 'iptables-nft',
  pgrep: 'procps-ng',
  setsid: 'util-linux',
  sed: 'sed',
  python3: 'python3',
  timeout: 'coreutils',
};
export const BASE_TOOLS: readonly string[] = ['iptables', 'pgrep', 'setsid', 'sed'];

/** Seconds a watchdog (and the delayer's own `timeout`) outlives the hold: a run killed mid-fault is undone by the host. */
export const WATCHDOG_GRACE_SECONDS = 15;
/** How long the undo may take once the hold ends, whatever the run's signal says (it must happen). */
const UNDO_TIMEOUT_MS = 60_000;

/** A helper process started before the rules, and how to know it is ready. */
export interface HelperPlan {
  /** The command (its argv carries the kind's tag), without root prefix. */
  readonly words: readonly string[];
  /** A line it prints once ready, and one it prints when it cannot start. */
  readonly ready: RegExp;
  readonly failed: RegExp;
  readonly outFile: string;
}

/** What a network fault does, built from its arguments before any connection is made. */
export interface NetPlan {
  readonly fault: FaultId;
  readonly kind: NetKind;
  readonly match: PathMatch;
  readonly durationSeconds: number;
  readonly rules: readonly RuleSpec[];
  readonly tools: readonly string[];
  readonly helper?: HelperPlan;
}

/** What a network fault needs: the host (for iptables) only. */
export const HOST_ONLY = [{ port: 'host' as const }];

/** The blast radius: the host, the copies at the far end of the path (the proxy's traffic to them), the proxy. */
export function netTargets(service: 'api' | 'frontend', outputs: PlatformOutputs, copy: number | null = null): readonly TargetRef[] {
  const names = copiesOf(outputs.services[service]).map((c) => c.serviceName);
  // A copy the outputs do not list is named as such, and the blast-radius check refuses it before anything runs.
  const hit = copy === null ? names : [names[copy - 1] ?? `${service} copy ${copy}`];
  return [
    { kind: 'host', host: outputs.sshHost },
    ...hit.map((name): TargetRef => ({ kind: 'service', service: name })),
    { kind: 'service', service: outputs.services.proxy.serviceName },
  ];
}

/** The dry-run line: the rules, the hold and the undo. */
export function describePlan(plan: NetPlan, target: TargetView, helperLine = ''): string {
  const rules = plan.rules.map((rule) => commandLine(insertWords(rule))).join('; ');
  return `${overHost(target.use('host'))}: ${helperLine}${rules}; hold ${plan.durationSeconds} s, read the counters (${commandLine(LIST_WORDS)}), delete every OUTPUT rule commented ${tagOf(plan.kind)}${plan.helper ? ' and stop the helper' : ''} (a host-side watchdog does it ${WATCHDOG_GRACE_SECONDS} s later if the run dies)`;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

async function mustRun(session: HostCommands, words: readonly string[]): Promise<string> {
  const result = await session.exec(words);
  if (result.code !== 0)
    throw new ActivityFailedError(
      `"${result.command.slice(0, 200)}" exited with ${String(result.code)}: ${firstLine(result.stderr) || firstLine(result.stdout)}`,
    );
  return result.stdout;
}

export function cleanupWords(kind: NetKind, waitSeconds: number, tag = 'platform-chaos-cleanup'): string[] {
  return ['sh', '-c', CLEANUP_SCRIPT, tag, kind, String(waitSeconds)];
}

export function launchWords(outFile: string, words: readonly string[]): string[] {
  return ['sh', '-c', LAUNCH_SCRIPT, 'platform-chaos-launch', outFile, ...words];
}

/**
 * Checks the tools (one line naming what is missing and how to get it) and whether commands need
 * `sudo -n` (SSH as ec2-user); returns the prefix.
 */
export async function hostRoot(session: HostCommands, fault: FaultId, tools: readonly string[], where: string): Promise<string[]> {
  const result = await session.exec(['sh', '-c', CHECK_SCRIPT, 'platform-chaos-check', ...tools]);
  const check = parseCheck(result.stdout);
  if (check === null) throw new ActivityFailedError(`${fault}: the tool check on ${where} printed no uid: ${firstLine(result.stderr)}`);
  if (check.missing.length > 0) {
    const packages = check.missing.map((tool) => PACKAGES[tool] ?? tool).join(' ');
    throw new ActivityFailedError(
      `${fault} refused: ${check.missing.join(', ')} missing on ${where}; install with \`dnf install -y ${packages}\` (the boot script in stacks/user-data.ts is where the instance gets its tools)`,
    );
  }
  if (check.noSudo) throw new ActivityFailedError(`${fault} refused: iptables needs root on ${where}, and uid ${check.uid} cannot sudo -n`);
  return check.uid === 0 ? [] : ['sudo', '-n'];
}

async function readCounters(session: HostCommands, root: readonly string[], kind: NetKind): Promise<RuleCounter[]> {
  return parseCounters(await mustRun(session, [...root, ...LIST_WORDS]), kind);
}

/** Removes every rule and helper of the kind, then proves none is left. */
export async function cleanupKind(
  session: HostCommands,
  root: readonly string[],
  kind: NetKind,
): Promise<CleanupReport & { left: number }> {
  const report = parseCleanup(await mustRun(session, [...root, ...cleanupWords(kind, 0)]));
  const left = (await readCounters(session, root, kind)).length;
  return { ...report, left };
}

async function waitReady(session: HostCommands, root: readonly string[], helper: HelperPlan, ctx: DriverContext): Promise<string> {
  const deadline = ctx.clock.now() + 10_000;
  for (;;) {
    const out = (await session.exec([...root, 'cat', helper.outFile])).stdout;
    const failed = out.split('\n').find((line) => helper.failed.test(line));
    if (failed !== undefined) throw new ActivityFailedError(`the helper could not start on the host: ${failed}`);
    const ready = out.split('\n').find((line) => helper.ready.test(line));
    if (ready !== undefined) return ready;
    if (ctx.clock.now() > deadline)
      throw new ActivityFailedError(`the helper printed nothing ready within 10 s: ${JSON.stringify(out.slice(0, 200))}`);
    await ctx.clock.sleep(100, ctx.signal);
  }
}

/** What the hold produced, before the fault adds its own reading of it. */
export interface HoldOutcome {
  readonly result: JsonObject;
  readonly counters: readonly RuleCounter[];
  readonly cleanup: CleanupReport & { left: number };
}

/**
 * Applies the plan, holds it for its duration (an abort ends the hold at once), undoes it in a
 * session of its own (so an interrupted run still undoes it) and returns the evidence: the rules,
 * their counters read just before removal, what the undo removed and that nothing is left.
 */
export async function holdPlan(ctx: DriverContext, conn: HostAccessOptions, plan: NetPlan): Promise<HoldOutcome> {
  const host = ctx.use('host');
  let root: string[] = [];
  let touched = false;
  const startedAt = ctx.clock.now();
  let appliedAt = 0;
  const found: { leftovers: number; helper: string | null } = { leftovers: 0, helper: null };
  const undo = (): Promise<CleanupReport & { left: number }> =>
    host.withSession(conn, AbortSignal.timeout(UNDO_TIMEOUT_MS), (session) => cleanupKind(session, root, plan.kind));
  try {
    await host.withSession(conn, ctx.signal, async (session) => {
      root = await hostRoot(session, plan.fault, plan.tools, host.where);
      // A run killed before its undo may have left rules: start from none.
      touched = true;
      found.leftovers = (await cleanupKind(session, root, plan.kind)).removedRules.length;
      const watchdogSeconds = plan.durationSeconds + WATCHDOG_GRACE_SECONDS;
      if (plan.helper !== undefined) {
        await mustRun(session, [...root, ...launchWords(plan.helper.outFile, plan.helper.words)]);
        found.helper = await waitReady(session, root, plan.helper, ctx);
      }
      await mustRun(session, [...root, ...launchWords('/dev/null', cleanupWords(plan.kind, watchdogSeconds, 'platform-chaos-watchdog'))]);
      for (const rule of plan.rules) await mustRun(session, [...root, ...insertWords(rule)]);
      appliedAt = ctx.clock.now();
      ctx.log.info(`${plan.fault}: ${plan.rules.length} rule(s) on ${host.where}, holding ${plan.durationSeconds} s`);
    });
  } catch (error) {
    if (touched) await undo().catch((e: unknown) => ctx.log.warn(`${plan.fault}: undo after a failed start failed too: ${String(e)}`));
    throw error;
  }
  let interrupted = false;
  try {
    await ctx.clock.sleep(plan.durationSeconds * 1000, ctx.signal);
  } catch {
    interrupted = true;
  }
  const heldUntil = ctx.clock.now();
  const { counters, cleanup } = await host.withSession(conn, AbortSignal.timeout(UNDO_TIMEOUT_MS), async (session) => ({
    counters: await readCounters(session, root, plan.kind),
    cleanup: await cleanupKind(session, root, plan.kind),
  }));
  const removedAt = ctx.clock.now();
  const result: JsonObject = {
    fault: plan.fault,
    host: host.where,
    path: {
      fromUid: plan.match.uid,
      toService: plan.match.service,
      toPorts: [...plan.match.ports],
      toCopy: plan.match.copy,
      outInterface: 'lo',
      chain: 'OUTPUT',
    },
    rules: plan.rules.map((rule) => commandLine(insertWords(rule))),
    ...(found.helper === null ? {} : { helper: found.helper }),
    startedAt: new Date(startedAt).toISOString(),
    appliedAt: new Date(appliedAt).toISOString(),
    removedAt: new Date(removedAt).toISOString(),
    heldSeconds: (heldUntil - appliedAt) / 1000,
    counters: counters.map((c) => ({ target: c.target, packets: c.packets, bytes: c.bytes })),
    undo: {
      removedRules: [...cleanup.removedRules],
      failedRules: [...cleanup.failedRules],
      stoppedProcesses: cleanup.stoppedProcesses,
      killedProcesses: cleanup.killedProcesses,
      rulesLeft: cleanup.left,
    },
    leftoversRemovedFirst: found.leftovers,
  };
  if (cleanup.left > 0 || cleanup.failedRules.length > 0)
    throw new ActivityFailedError(
      `${plan.fault}: ${cleanup.left} rule(s) commented ${tagOf(plan.kind)} still on ${host.where} after the undo`,
    );
  if (interrupted) {
    ctx.log.warn(`${plan.fault}: interrupted after ${result.heldSeconds} s; undone: ${JSON.stringify(result.undo)}`);
    throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error(String(ctx.signal.reason));
  }
  return { result, counters, cleanup };
}

/** The idempotent rollback every network fault declares: removes every rule and helper of its kind. */
export async function rollbackKind(
  ctx: DriverContext,
  conn: HostAccessOptions,
  fault: FaultId,
  kind: NetKind,
  tools: readonly string[],
): Promise<JsonObject> {
  const host = ctx.use('host');
  return host.withSession(conn, ctx.signal, async (session) => {
    const root = await hostRoot(session, fault, tools, host.where);
    const cleanup = await cleanupKind(session, root, kind);
    if (cleanup.left > 0)
      throw new ActivityFailedError(`${fault}: ${cleanup.left} rule(s) commented ${tagOf(kind)} still on ${host.where}`);
    return {
      fault,
      host: host.where,
      removedRules: [...cleanup.removedRules],
      stoppedProcesses: cleanup.stoppedProcesses,
      killedProcesses: cleanup.killedProcesses,
      rulesLeft: cleanup.left,
    };
  });
}
