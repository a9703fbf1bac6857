import { z } from 'zod';
import { ActivityFailedError } from '../../errors';
import { defineFault } from '../../faults/define-fault';
import type { HostCommands } from '../../faults/ports';
import type { DriverContext } from '../../faults/types';
import { sshConnectionArgs } from '../ssh/connection-args';
import { overHost } from '../ssh/ssh-targets';
import { CEILING_PERCENT, parseDf, planFill, type DiskUsage } from './disk-usage';

const MIB = 1024 * 1024;
/** The most one fill may ever write. */
export const FILL_MAX_BYTES_CAP = 64 * 1024 * MIB;

const args = z.strictObject({
  percent: z
    .number()
    .int()
    .min(1)
    .max(CEILING_PERCENT)
    .default(90)
    .describe(`Mark to fill the filesystem to, in percent used as df counts it (default 90, at most ${CEILING_PERCENT})`),
  maxBytes: z
    .number()
    .int()
    .min(MIB)
    .max(FILL_MAX_BYTES_CAP)
    .default(1024 * MIB)
    .describe('Hard cap on the bytes written, whatever the mark (default 1 GiB = 1073741824, at most 64 GiB)'),
  durationSeconds: z.number().positive().max(600).describe('Seconds the file stays before it is removed (at most 600)'),
  ...sshConnectionArgs,
});

type Args = z.output<typeof args>;

/** Every file this fault creates is named so, in the container runtime's data directory. */
export const FILL_PREFIX = 'platform-chaos-fill-';

/** Root runs the command itself; another user (ec2-user over SSH) through `sudo -n`, never a prompt. */
const AS_ROOT = 'run() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }';

/** Prints each tool missing on the host, one a line; nothing when all are there. */
const TOOLS_SCRIPT = [
  'for t in docker df find stat; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done',
  'command -v fallocate >/dev/null 2>&1 || command -v head >/dev/null 2>&1 || echo fallocate',
  'if [ "$(id -u)" != 0 ] && ! sudo -n true >/dev/null 2>&1; then echo "root (or sudo -n)"; fi',
].join('\n');

/**
 * Creates `$1` with `$2` bytes: fallocate (instant, allocates real blocks), else zeros from head,
 * bounded by `timeout $3`. Refuses an existing file. Prints the method, then the size on disk.
 */
const CREATE_SCRIPT = [
  'set -u',
  AS_ROOT,
  'if run test -e "$1"; then echo "$1 exists" >&2; exit 4; fi',
  'if command -v fallocate >/dev/null 2>&1 && run fallocate -l "$2" "$1"; then echo fallocate',
  'else',
  '  run rm -f -- "$1"',
  // The inner sh carries the tag too: it is the process that writes.
  `  if ! run timeout "$3" sh -c 'head -c "$1" /dev/zero > "$2"' platform-chaos-fill-disk-head "$2" "$1"; then run rm -f -- "$1"; echo "head -c $2 failed" >&2; exit 5; fi`,
  '  echo head',
  'fi',
  'run stat -c %s "$1"',
].join('\n');

/** Removes every `platform-chaos-fill-*` file directly in `$1`, printing each: idempotent. */
const REMOVE_SCRIPT = ['set -u', AS_ROOT, `run find "$1" -maxdepth 1 -type f -name '${FILL_PREFIX}*' -print -delete`].join('\n');

/** The data directory docker reports, checked before it reaches a command. */
const DATA_DIR = /^(?:\/[A-Za-z0-9_.-]+)+\/?$/;

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

async function must(session: HostCommands, words: readonly string[], what: string): Promise<string> {
  const result = await session.exec(words);
  if (result.code !== 0)
    throw new ActivityFailedError(
      `${what}: "${result.command}" exited with ${String(result.code)}: ${firstLine(result.stderr) || firstLine(result.stdout)}`,
    );
  return result.stdout;
}

/** Refuses, in one line, when a tool is missing; else returns the runtime's data directory. */
async function dataDirectory(session: HostCommands, where: string): Promise<string> {
  const missing = (await must(session, ['sh', '-c', TOOLS_SCRIPT, 'platform-chaos-fill-disk-check'], 'tool check'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (missing.length > 0)
    throw new ActivityFailedError(
      `host:fill-disk needs ${missing.join(', ')} on ${where}: install them from the distribution (util-linux for fallocate, coreutils for df/stat/head, findutils for find)`,
    );
  const dir = (await must(session, ['docker', 'info', '--format', '{{.DockerRootDir}}'], 'docker info')).trim();
  if (!DATA_DIR.test(dir) || dir.split('/').includes('..'))
    throw new ActivityFailedError(`refused the container runtime's data directory ${JSON.stringify(dir.slice(0, 200))}`);
  return dir.replace(/\/+$/, '');
}

async function df(session: HostCommands, dir: string): Promise<DiskUsage> {
  return parseDf(await must(session, ['df', '-P', '-k', dir], 'df'));
}

async function removeFills(session: HostCommands, dir: string): Promise<string[]> {
  const out = await must(session, ['sh', '-c', REMOVE_SCRIPT, 'platform-chaos-fill-disk-remove', dir], 'removing the fill');
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** Seconds head may take to write the bytes: at 20 MB/s, plus a minute; never unbounded. */
function writeTimeoutSeconds(bytes: number): number {
  return Math.min(3600, 60 + Math.ceil(bytes / (20 * 1000 * 1000)));
}

/** What the undo did, and the filesystem after it. */
async function undo(ctx: DriverContext, a: Args, signal: AbortSignal, dir: string): Promise<{ removed: string[]; after: DiskUsage }> {
  return ctx
    .use('host')
    .withSession(a, signal, async (session) => ({ removed: await removeFills(session, dir), after: await df(session, dir) }));
}

/**
 * `host:fill-disk`: one file in the container runtime's data directory (`docker info`
 * DockerRootDir: /var/lib/docker on AWS) takes its filesystem to a mark, bounded by a byte cap
 * and a 98 % ceiling, for a duration; then the fault removes it itself.
 */
export const hostFillDisk = defineFault({
  id: 'host:fill-disk',
  kind: 'action',
  description:
    "Fill the filesystem of the container runtime's data directory (docker info DockerRootDir) on the host, over SSH or SSM, to a mark (percent, default 90) with one platform-chaos-fill-* file (fallocate, else head -c), never more than maxBytes (default 1 GiB) nor past 98 %, for durationSeconds; then remove it; reports df before/during/after, the bytes written and whether the mark or the cap was reached",
  destructive: true,
  requires: [{ port: 'host' }],
  args,
  targets: (_a, outputs) => [{ kind: 'host', host: outputs.sshHost }],
  describe: (a, target) =>
    `${overHost(target.use('host'))}: docker info --format '{{.DockerRootDir}}'; df -P -k <it>; fallocate -l <bytes to ${a.percent} %, at most ${a.maxBytes}> <it>/${FILL_PREFIX}<time>; hold ${a.durationSeconds} s; remove it`,
  async run(ctx, a) {
    const host = ctx.use('host');
    const file = { dir: '', path: '' };
    const created = await host.withSession(a, ctx.signal, async (session) => {
      const dir = await dataDirectory(session, host.where);
      file.dir = dir;
      const before = await df(session, dir);
      const plan = planFill(before, a.percent, a.maxBytes);
      if (plan.bytes === 0) return { dir, before, plan, method: null, bytesWritten: 0, during: before };
      file.path = `${dir}/${FILL_PREFIX}${ctx.clock.now()}`;
      ctx.log.info(`fill-disk: ${plan.bytes} bytes into ${file.path} on ${host.where} (${before.usedPercent} % used, mark ${a.percent} %)`);
      const out = await must(
        session,
        ['sh', '-c', CREATE_SCRIPT, 'platform-chaos-fill-disk', file.path, String(plan.bytes), String(writeTimeoutSeconds(plan.bytes))],
        'creating the fill',
      ).catch(async (error: unknown) => {
        await removeFills(session, dir);
        throw error;
      });
      const [method, size] = out.trim().split('\n');
      return { dir, before, plan, method: method ?? null, bytesWritten: Number(size), during: await df(session, dir) };
    });
    const heldFrom = ctx.clock.now();
    try {
      if (created.bytesWritten > 0) await ctx.clock.sleep(a.durationSeconds * 1000, ctx.signal);
    } catch (error) {
      // Aborted (interrupt or the activity's timeout): the file goes at once, on a fresh signal.
      if (file.path !== '') await undo(ctx, a, AbortSignal.timeout(60_000), file.dir);
      throw error;
    }
    const heldSeconds = Math.round((ctx.clock.now() - heldFrom) / 100) / 10;
    const { removed, after } =
      created.bytesWritten > 0 ? await undo(ctx, a, ctx.signal, created.dir) : { removed: [], after: created.before };
    // Already at the mark counts as the mark reached, with nothing written.
    const reached = created.plan.bound === 'cap' ? 'cap' : 'mark';
    ctx.log.info(
      `fill-disk: ${created.bytesWritten} bytes held ${heldSeconds} s, ${created.during.usedPercent} % used; ${reached} reached; removed ${removed.length}`,
    );
    return {
      host: host.where,
      directory: created.dir,
      file: file.path === '' ? null : file.path,
      method: created.method,
      markPercent: a.percent,
      maxBytes: a.maxBytes,
      bytesToMark: created.plan.toMarkBytes,
      bytesWritten: created.bytesWritten,
      reached,
      alreadyAtMark: created.plan.bound === 'already',
      heldSeconds,
      removed,
      df: { before: created.before, during: created.during, after },
    };
  },
  async rollback(ctx, a) {
    const host = ctx.use('host');
    return host.withSession(a, ctx.signal, async (session) => {
      const dir = await dataDirectory(session, host.where);
      const removed = await removeFills(session, dir);
      return { directory: dir, removed, df: await df(session, dir) };
    });
  },
});
