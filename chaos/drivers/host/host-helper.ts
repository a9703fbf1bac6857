import type { ServiceName } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import { CONTAINER_ID } from '../../faults/command-words';
import type { HostCommands } from '../../faults/ports';
import type { DriverContext } from '../../faults/types';
import { remoteDocker, theServiceContainer, type ListedContainer } from '../ssh/service-container';
import { controllerCgroup, parseProcCgroup, type Controller, type ControllerCgroup } from './container-cgroup';

/**
 * The host side of the resource faults: the tools they need, root, the container's main process
 * and cgroups, and the helper processes they start and kill. Every command is words (quoted by the
 * host port); the shell scripts are constants given their values as positional arguments.
 *
 * A helper is `setsid timeout -s TERM -k 5 <s> nsenter --target <pid> --pid --no-fork -- sh -c
 * <script> platform-chaos-<fault> …`: its own session (so it outlives the command that started it,
 * and its whole process group can be signalled at once), bounded by `timeout` (which signals the
 * group), its children (`head`, `tail`, busy loops) in the container's pid namespace (so the kernel
 * kills them when the container's main process dies). The shell itself stays in the host's pid
 * namespace (`--no-fork`) and traps SIGTERM to kill and reap its children: a child orphaned in the
 * container would be reparented to the container's main process, which reaps nothing (a Go binary
 * as pid 1), and stay a zombie there. The children carry no tag of their own but live in the
 * tagged session, which is what the rollback signals.
 */

/** The package each tool comes from (the same names on Amazon Linux 2023 and Debian, procps aside). */
const PACKAGE_OF: Readonly<Record<string, string>> = {
  nsenter: 'util-linux',
  setsid: 'util-linux',
  timeout: 'coreutils',
  head: 'coreutils',
  tail: 'coreutils',
  cut: 'coreutils',
  grep: 'grep',
  pgrep: 'procps-ng (procps on Debian)',
  pkill: 'procps-ng (procps on Debian)',
  ps: 'procps-ng (procps on Debian)',
};

/** What the helper faults need on the host. */
export const HELPER_TOOLS = ['nsenter', 'setsid', 'timeout', 'grep', 'cut', 'pgrep', 'pkill', 'ps'] as const;
/** What the rollback needs to find and kill tagged helpers. */
export const CLEANUP_TOOLS = ['grep', 'pgrep', 'pkill', 'ps'] as const;

/** The tag of a fault's helpers: in the argv of each, and what the rollback looks for. */
export function helperTag(fault: 'exhaust-memory' | 'burn-cpu'): string {
  return `platform-chaos-${fault}`;
}

/** A pattern that matches the tag in argv but not itself (`[p]latform-…`), so the cleanup never matches its own shell. */
export function selfExcludingPattern(tag: string): string {
  return `[${tag.slice(0, 1)}]${tag.slice(1)}`;
}

const CHECK_TOOLS = 'for t; do command -v "$t" >/dev/null 2>&1 || echo "missing $t"; done; echo "uid $(id -u)"; echo "now $(date +%s)"';

/** What the host offers: the words privileged commands start with, and its clock. */
export interface PreparedHost {
  /** `[]` as root, `['sudo', '-n']` for a user with passwordless sudo (ec2-user). */
  readonly asRoot: readonly string[];
  /** The host's clock, seconds since the epoch (for `docker events --since`). */
  readonly nowSeconds: number;
}

/**
 * Checks the tools first and refuses with one line naming each missing one and its package; finds
 * root (directly or through `sudo -n`), which nsenter, cgroup.procs and oom_score_adj need.
 */
export async function prepareHost(session: HostCommands, fault: string, where: string, tools: readonly string[]): Promise<PreparedHost> {
  const out = await remoteShell(session, [], CHECK_TOOLS, 'chaos-check-tools', tools);
  const missing = [...out.matchAll(/^missing (\S+)$/gm)].map((m) => m[1] ?? '');
  if (missing.length > 0)
    throw new ActivityFailedError(
      `${fault} needs ${missing.join(', ')} on ${where}: install ${[...new Set(missing.map((t) => PACKAGE_OF[t] ?? t))].join(', ')} (the stack's boot script installs util-linux and procps-ng on Amazon Linux 2023)`,
    );
  const uid = /^uid (\d+)$/m.exec(out)?.[1];
  const now = /^now (\d+)$/m.exec(out)?.[1];
  if (uid === undefined || now === undefined)
    throw new ActivityFailedError(`unexpected answer to the tool check on ${where}: ${JSON.stringify(out.slice(0, 200))}`);
  if (uid === '0') return { asRoot: [], nowSeconds: Number(now) };
  const sudo = await session.exec(['sudo', '-n', 'true']);
  if (sudo.code !== 0)
    throw new ActivityFailedError(
      `${fault} needs root on ${where} (nsenter, cgroup.procs): uid ${uid}, and sudo -n refused: ${sudo.stderr.trim().split('\n')[0] ?? ''}`,
    );
  return { asRoot: ['sudo', '-n'], nowSeconds: Number(now) };
}

/** Runs a constant script with `sh -c`, failing the activity on a non-zero exit. */
export async function remoteShell(
  session: HostCommands,
  asRoot: readonly string[],
  script: string,
  name: string,
  args: readonly string[],
): Promise<string> {
  const result = await session.exec([...asRoot, 'sh', '-c', script, name, ...args]);
  if (result.code !== 0)
    throw new ActivityFailedError(
      `${name} on the host exited with ${String(result.code)}: ${(result.stderr.trim() || result.stdout.trim()).split('\n')[0] ?? ''}`,
    );
  return result.stdout;
}

/** What `docker inspect` says of a container's state. */
export interface ContainerState {
  /** The full id (64 hex digits). */
  readonly id: string;
  readonly status: string;
  /** Host pid of its main process, 0 when it is not running. */
  readonly pid: number;
  readonly oomKilled: boolean;
  readonly exitCode: number;
  readonly startedAt: string;
  readonly finishedAt: string;
}

const STATE_FORMAT =
  '{{.Id}} {{.State.Status}} {{.State.Pid}} {{.State.OOMKilled}} {{.State.ExitCode}} {{.State.StartedAt}} {{.State.FinishedAt}}';

/** Parses {@link STATE_FORMAT}'s line. */
export function parseContainerState(line: string): ContainerState {
  const match = /^([0-9a-f]{64}) ([a-z]+) (\d+) (true|false) (-?\d+) (\S+) (\S+)$/.exec(line.trim());
  if (match === null)
    throw new ActivityFailedError(`unexpected container state from docker inspect: ${JSON.stringify(line.slice(0, 200))}`);
  const [, id = '', status = '', pid = '0', oom = '', exitCode = '0', startedAt = '', finishedAt = ''] = match;
  return { id, status, pid: Number(pid), oomKilled: oom === 'true', exitCode: Number(exitCode), startedAt, finishedAt };
}

export async function containerState(session: HostCommands, id: string): Promise<ContainerState> {
  if (!CONTAINER_ID.test(id)) throw new ActivityFailedError(`refused container id ${JSON.stringify(id)}`);
  return parseContainerState(await remoteDocker(session, ['docker', 'inspect', '--type', 'container', '--format', STATE_FORMAT, id]));
}

/** The service's one running container, its state and its cgroups for the controllers asked. */
export interface TargetContainer {
  readonly container: ListedContainer;
  readonly state: ContainerState;
  readonly cgroups: Readonly<Partial<Record<Controller, ControllerCgroup>>>;
}

/** Finds the service's one container (guarded against the outputs), its main process and its cgroups. */
export async function targetContainer(
  ctx: DriverContext,
  session: HostCommands,
  service: ServiceName,
  controllers: readonly Controller[],
): Promise<TargetContainer> {
  const container = await theServiceContainer(session, ctx.use('orchestrator').containerLabels(service), service, ctx.use('host').where);
  ctx.guard([{ kind: 'container', container: ctx.outputs.services[service].containerName }]);
  const state = await containerState(session, container.id);
  if (state.status !== 'running' || state.pid <= 0)
    throw new ActivityFailedError(`the container ${container.name} of ${service} is ${state.status} (pid ${state.pid}), not running`);
  const lines = parseProcCgroup(await remoteDocker(session, ['cat', `/proc/${state.pid}/cgroup`]));
  const cgroups: Partial<Record<Controller, ControllerCgroup>> = {};
  for (const c of controllers) cgroups[c] = controllerCgroup(lines, c);
  return { container, state, cgroups };
}

/**
 * Reads cgroup files in one command (`grep -H '' …` prints `file:line`), keyed by file. A file
 * that is missing or empty is absent from the answer.
 */
export async function readHostFiles(session: HostCommands, files: readonly string[]): Promise<Record<string, string>> {
  const result = await session.exec(['grep', '-H', '-s', '', ...files]);
  if (result.code !== 0 && result.code !== 2)
    throw new ActivityFailedError(`reading ${files.join(' ')} on the host exited with ${String(result.code)}`);
  const out: Record<string, string[]> = {};
  for (const line of result.stdout.split('\n')) {
    const file = files.find((f) => line.startsWith(`${f}:`));
    if (file !== undefined) (out[file] ??= []).push(line.slice(file.length + 1));
  }
  return Object.fromEntries(Object.entries(out).map(([f, lines]) => [f, lines.join('\n')]));
}

/** The one value a file must have. */
export function fileValue(files: Record<string, string>, file: string): string {
  const value = files[file];
  if (value === undefined) throw new ActivityFailedError(`${file} is missing or empty on the host`);
  return value;
}

/**
 * Starts a helper in its own session, in the container's pid namespace, after checking that the pid
 * is still the container's main process (its cgroup file names the container id). Prints the
 * helper's session id.
 */
const LAUNCH = [
  'secs=$1; pid=$2; id=$3; shift 3',
  'grep -q -F -- "$id" "/proc/$pid/cgroup" || { echo "process $pid is not in container $id any more" >&2; exit 3; }',
  'setsid timeout -s TERM -k 5 "$secs" nsenter --target "$pid" --pid --no-fork -- "$@" </dev/null >/dev/null 2>&1 &',
  'echo "$!"',
].join('\n');

/** The words that start a helper, for the dry run and the journal. */
export function launchWords(
  asRoot: readonly string[],
  helper: {
    readonly tag: string;
    readonly seconds: number;
    readonly pid: number;
    readonly containerId: string;
    readonly script: string;
    readonly args: readonly string[];
  },
): readonly string[] {
  return [
    ...asRoot,
    'sh',
    '-c',
    LAUNCH,
    helper.tag,
    String(helper.seconds),
    String(helper.pid),
    helper.containerId,
    'sh',
    '-c',
    helper.script,
    helper.tag,
    ...helper.args,
  ];
}

/** Starts the helper; returns its session id (the pid of its `timeout`, leader of its process group). */
export async function launchHelper(session: HostCommands, words: readonly string[]): Promise<number> {
  const result = await session.exec(words);
  const sid = result.stdout.trim();
  if (result.code !== 0 || !/^\d+$/.test(sid))
    throw new ActivityFailedError(
      `starting the helper on the host failed (exit ${String(result.code)}): ${(result.stderr.trim() || sid).split('\n')[0] ?? ''}`,
    );
  return Number(sid);
}

/** A process of a helper's session: its oom_score_adj, and whether it is in the cgroup. */
export interface HelperProcess {
  readonly pid: number;
  readonly oomScoreAdj: number;
  readonly inCgroup: boolean;
}

const LIST_SESSION = [
  'sid=$1; want=$2',
  'for p in $(ps -o stat=,pid= -s "$sid" | grep -v "^Z" | tr -s " " | cut -d " " -f 2); do',
  '  adj=$(cat "/proc/$p/oom_score_adj" 2>/dev/null) || continue',
  '  if cut -d: -f2- "/proc/$p/cgroup" 2>/dev/null | grep -F -x -q -- "$want"; then in=1; else in=0; fi',
  '  echo "$p $adj $in"',
  'done',
].join('\n');

/** The processes of a helper's session, each with its oom_score_adj and whether it is in `cgroup`. */
export async function helperProcesses(session: HostCommands, sid: number, cgroup: ControllerCgroup): Promise<HelperProcess[]> {
  const out = await remoteShell(session, [], LIST_SESSION, 'chaos-list-helper', [String(sid), cgroup.membership]);
  return out
    .split('\n')
    .map((line) => /^(\d+) (-?\d+) ([01])$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), oomScoreAdj: Number(m[2]), inCgroup: m[3] === '1' }));
}

/** The live (not zombie) processes of a session, by pid: `ps -s` with each state. */
const LIVE_IN_SESSION = 'ps -o stat=,pid= -s "$1" | grep -v "^Z" | tr -s " " | cut -d " " -f 2';

/**
 * Stops a helper: SIGTERM to its process group (its shell traps it, kills and reaps its children,
 * so none is left a zombie in the container), SIGKILL to whatever still lives 3 s later. Returns
 * what is left alive (normally nothing).
 */
export async function killHelperSession(session: HostCommands, asRoot: readonly string[], sid: number): Promise<number[]> {
  await session.exec([
    ...asRoot,
    'sh',
    '-c',
    `kill -s TERM -- "-$1" 2>/dev/null; i=0; while [ "$i" -lt 30 ] && [ -n "$(${LIVE_IN_SESSION})" ]; do sleep 0.1; i=$((i + 1)); done; kill -s KILL -- "-$1" 2>/dev/null; true`,
    'chaos-stop-helper',
    String(sid),
  ]);
  const left = await session.exec(['sh', '-c', LIVE_IN_SESSION, 'chaos-list-live', String(sid)]);
  return left.stdout
    .split('\n')
    .filter((l) => /^\d+$/.test(l.trim()))
    .map(Number);
}

const CLEANUP = [
  'pattern=$1; killed=',
  'live() { ps -o stat=,pid= "$@" | grep -v "^Z" | tr -s " " | cut -d " " -f 2; }',
  'for p in $(pgrep -f -- "$pattern"); do',
  '  s=$(ps -o sid= -p "$p" | tr -d " ")',
  '  if [ -n "$s" ] && pgrep -f -- "$pattern" | grep -q -x -- "$s"; then kill -s TERM -- "-$s" 2>/dev/null; killed="$killed $s"; fi',
  '  kill -s TERM "$p" 2>/dev/null && killed="$killed $p"',
  'done',
  'if [ -n "$killed" ]; then sleep 1; for s in $killed; do pkill -KILL -s "$s"; kill -s KILL "$s" 2>/dev/null; done; sleep 0.2; fi',
  'echo "killed$killed"',
  'left=; for p in $(pgrep -f -- "$pattern"); do left="$left $(live -p "$p")"; done',
  'echo "left $left"',
].join('\n');

/**
 * The rollback: stops every process whose argv carries the tag and every session such a process
 * leads (a helper's `head`, `tail` or busy loops): SIGTERM, then SIGKILL a second later. Idempotent;
 * says what it signalled and what is left alive.
 */
export async function killTaggedHelpers(
  session: HostCommands,
  asRoot: readonly string[],
  tag: string,
): Promise<{ readonly killed: number[]; readonly left: number[] }> {
  const out = await remoteShell(session, asRoot, CLEANUP, 'chaos-cleanup', [selfExcludingPattern(tag)]);
  const pids = (prefix: string): number[] =>
    (new RegExp(`^${prefix}(.*)$`, 'm').exec(out)?.[1] ?? '')
      .split(' ')
      .filter((w) => /^\d+$/.test(w))
      .map(Number);
  return { killed: [...new Set(pids('killed'))], left: pids('left ') };
}

const EVENTS = [
  'docker events --since "$1" --until "$(date +%s)" --filter "container=$2" --filter event=oom --filter event=die \\',
  '  --format \'{{.Action}} {{index .Actor.Attributes "exitCode"}}\'',
].join('\n');

/** What the runtime recorded for the container since `sinceSeconds` (host clock) until now: `oom` and `die` events. */
export async function runtimeEvents(
  session: HostCommands,
  id: string,
  sinceSeconds: number,
): Promise<{ readonly oom: boolean; readonly dieExitCodes: number[] }> {
  if (!CONTAINER_ID.test(id)) throw new ActivityFailedError(`refused container id ${JSON.stringify(id)}`);
  const out = await remoteShell(session, [], EVENTS, 'chaos-runtime-events', [String(sinceSeconds), id]);
  const lines = out.split('\n').map((l) => l.trim());
  return {
    oom: lines.some((l) => l.startsWith('oom')),
    dieExitCodes: lines.filter((l) => /^die \d+$/.test(l)).map((l) => Number(l.slice(4))),
  };
}

/** How waiting for a container's main process to end came out. */
export interface ContainerEnd {
  /** Its main process is gone: the container exited, or was restarted in place (a new pid). */
  readonly ended: boolean;
  readonly state: ContainerState;
  readonly waitedMs: number;
}

/**
 * Polls `docker inspect` until the container's main process is no longer `pid` (exited, or
 * restarted in place by the ECS restart policy), `untilMs` passes, or `keepWaiting` says there is
 * nothing left to wait for (the helper ended without the container).
 */
export async function waitForContainerEnd(
  ctx: DriverContext,
  session: HostCommands,
  target: { readonly id: string; readonly pid: number },
  untilMs: number,
  keepWaiting: () => Promise<boolean> = () => Promise.resolve(true),
  pollMs = 200,
): Promise<ContainerEnd> {
  const started = ctx.clock.now();
  for (;;) {
    const state = await containerState(session, target.id);
    if (state.pid !== target.pid) return { ended: true, state, waitedMs: ctx.clock.now() - started };
    if (ctx.clock.now() >= untilMs || !(await keepWaiting())) return { ended: false, state, waitedMs: ctx.clock.now() - started };
    await ctx.clock.sleep(pollMs, ctx.signal);
  }
}
