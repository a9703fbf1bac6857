import { ActivityFailedError } from '../../errors';

/**
 * Where a container's resources are accounted on its host: its cgroups, read from
 * `/proc/<host pid>/cgroup`, and the counters the kernel keeps there. Pure parsing, so it is
 * tested on the text of both cgroup versions; the commands that read the files are in
 * `host-helper.ts`.
 *
 * - cgroup v1 (and the hybrid layout, where a `0::/` line also exists but the controllers live in
 *   v1): one line per hierarchy, `4:memory:/docker/<id>`, mounted at `/sys/fs/cgroup/<controller>`
 *   (a co-mounted `cpu,cpuacct` hierarchy has `cpu` and `cpuacct` links to it).
 * - cgroup v2 (Amazon Linux 2023): one line, `0::/ecs/<task>/<container>`, every controller in
 *   `/sys/fs/cgroup/<path>`.
 */

/** One line of `/proc/<pid>/cgroup`. */
export interface CgroupLine {
  readonly hierarchy: number;
  /** Empty for the v2 line. */
  readonly controllers: readonly string[];
  readonly path: string;
}

/** The controllers the host faults use. */
export type Controller = 'memory' | 'cpu' | 'cpuacct';

/** A container's cgroup for one controller. */
export interface ControllerCgroup {
  readonly version: 1 | 2;
  readonly controller: Controller;
  /** The directory on the host, e.g. `/sys/fs/cgroup/memory/docker/<id>`. */
  readonly dir: string;
  /**
   * What `cut -d: -f2- /proc/<pid>/cgroup` prints for a process in it (`memory:/docker/<id>`,
   * `:/ecs/…` on v2): how a helper is proven to have joined it.
   */
  readonly membership: string;
}

/**
 * A cgroup path as the runtimes make them (`/docker/<id>`, `/ecs/<task>/<id>`,
 * `/system.slice/docker-<id>.scope`, `/kubepods/...`): segments of safe characters, never `.` or
 * `..`. It reaches a remote shell (quoted, as a positional argument) and names a directory we write to.
 */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.:@-]{0,254}$/;

function checkPath(path: string, line: string): string {
  const segments = path.split('/').slice(1);
  if (!path.startsWith('/') || segments.some((s) => !SEGMENT.test(s)))
    throw new ActivityFailedError(`refused cgroup path ${JSON.stringify(path)} in ${JSON.stringify(line)}`);
  return path;
}

/** Parses `/proc/<pid>/cgroup`, refusing lines of any other form. */
export function parseProcCgroup(text: string): CgroupLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const match = /^(\d+):([^:]*):(\/.*)$/.exec(line.trim());
      if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined)
        throw new ActivityFailedError(`unexpected line in /proc/<pid>/cgroup: ${JSON.stringify(line.slice(0, 200))}`);
      const controllers = match[2] === '' ? [] : match[2].split(',');
      return { hierarchy: Number(match[1]), controllers, path: match[3] };
    });
}

/**
 * The container's cgroup for `controller`: its v1 hierarchy when one has the controller (hybrid
 * hosts keep the controllers in v1), else the v2 line. Refuses the root cgroup (`/`): a process
 * there is not confined, and filling or burning it would hit the whole host.
 */
export function controllerCgroup(lines: readonly CgroupLine[], controller: Controller): ControllerCgroup {
  const v1 = lines.find((l) => l.controllers.includes(controller));
  const v2 = lines.find((l) => l.hierarchy === 0 && l.controllers.length === 0);
  const line = v1 ?? v2;
  if (line === undefined)
    throw new ActivityFailedError(
      `no ${controller} cgroup in /proc/<pid>/cgroup (${lines.map((l) => `${l.hierarchy}:${l.controllers.join(',')}:${l.path}`).join(' ')})`,
    );
  const text = `${line.hierarchy}:${line.controllers.join(',')}:${line.path}`;
  if (line.path === '/')
    throw new ActivityFailedError(
      `the container's ${controller} cgroup is the root cgroup (${text}): refused, it would hit the whole host`,
    );
  const path = checkPath(line.path, text);
  const version = line === v1 ? 1 : 2;
  return {
    version,
    controller,
    dir: version === 1 ? `/sys/fs/cgroup/${controller}${path}` : `/sys/fs/cgroup${path}`,
    membership: `${line.controllers.join(',')}:${path}`,
  };
}

/** The parent directory of a cgroup (an ECS task's cgroup holds the task-level limits). */
export function parentDir(cgroup: ControllerCgroup): string | null {
  const root = cgroup.version === 1 ? `/sys/fs/cgroup/${cgroup.controller}` : '/sys/fs/cgroup';
  const parent = cgroup.dir.slice(0, cgroup.dir.lastIndexOf('/'));
  return parent.length > root.length ? parent : null;
}

/** The files the memory fault reads, per version. */
export function memoryFiles(cgroup: ControllerCgroup): { readonly limit: string; readonly usage: string; readonly events: string } {
  return cgroup.version === 1
    ? {
        limit: `${cgroup.dir}/memory.limit_in_bytes`,
        usage: `${cgroup.dir}/memory.usage_in_bytes`,
        events: `${cgroup.dir}/memory.oom_control`,
      }
    : { limit: `${cgroup.dir}/memory.max`, usage: `${cgroup.dir}/memory.current`, events: `${cgroup.dir}/memory.events` };
}

/** v1 reports "no limit" as the largest page-aligned number; anything above 2^62 is unlimited. */
const UNLIMITED_V1 = 2 ** 62;

/** A limit file's value in bytes, null when unlimited (`max` on v2). */
export function parseLimit(text: string): number | null {
  const value = text.trim();
  if (value === 'max') return null;
  if (!/^\d+$/.test(value)) throw new ActivityFailedError(`unexpected memory limit ${JSON.stringify(value.slice(0, 100))}`);
  const n = Number(value);
  return n >= UNLIMITED_V1 ? null : n;
}

/** A whole number from a counter file. */
export function parseCount(text: string, what: string): number {
  const value = text.trim();
  if (!/^\d+$/.test(value)) throw new ActivityFailedError(`unexpected ${what} ${JSON.stringify(value.slice(0, 100))}`);
  return Number(value);
}

/** `key value` lines (cpu.stat, memory.events, memory.oom_control) as numbers. */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+) (\d+)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) out[match[1]] = Number(match[2]);
  }
  return out;
}

/** A CFS quota in CPUs (0.25 = a quarter of one), null when there is none. */
export function parseCpuQuota(
  version: 1 | 2,
  files: { readonly quota?: string; readonly period?: string; readonly max?: string },
): number | null {
  if (version === 2) {
    const match = /^(max|\d+) (\d+)$/.exec((files.max ?? '').trim());
    if (match?.[1] === undefined || match[2] === undefined)
      throw new ActivityFailedError(`unexpected cpu.max ${JSON.stringify(files.max)}`);
    return match[1] === 'max' ? null : Number(match[1]) / Number(match[2]);
  }
  const quota = Number((files.quota ?? '').trim());
  const period = Number((files.period ?? '').trim());
  if (!Number.isInteger(quota) || !Number.isInteger(period) || period <= 0)
    throw new ActivityFailedError(`unexpected cpu.cfs_quota_us/cpu.cfs_period_us ${JSON.stringify([files.quota, files.period])}`);
  return quota < 0 ? null : quota / period;
}
