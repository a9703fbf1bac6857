/**
 * What a container runtime restart prints, between the rehearsal (rehearsal/rehearsal.ts
 * restart-engine) or the AWS host's script (chaos/adapters/ecs/runtime-restart.ts) and the chaos
 * fault host:restart-runtime that runs it: the daemon's pid and start time before and after,
 *
 *   before <pid> <ISO-8601 start time>
 *   after <pid> <ISO-8601 start time>
 *
 * with `0 -` for a daemon that does not run.
 */

/** One side of the restart. */
export interface RuntimeProcess {
  readonly pid: number;
  readonly startedAt: string | null;
}

export interface RuntimeRestart {
  readonly before: RuntimeProcess;
  readonly after: RuntimeProcess;
}

export function formatRuntimeRestart(restart: RuntimeRestart): string {
  const side = (p: RuntimeProcess): string => `${p.pid} ${p.startedAt ?? '-'}`;
  return `before ${side(restart.before)}\nafter ${side(restart.after)}\n`;
}

const LINE = /^(before|after) (\d+) (\S+)$/;

/** The two lines, from whatever the command printed around them; undefined when one is missing. */
export function parseRuntimeRestart(output: string): RuntimeRestart | undefined {
  const sides = new Map<string, RuntimeProcess>();
  for (const line of output.split('\n')) {
    const match = LINE.exec(line.trim());
    if (match?.[1] === undefined || match[3] === undefined) continue;
    sides.set(match[1], { pid: Number(match[2]), startedAt: match[3] === '-' ? null : match[3] });
  }
  const before = sides.get('before');
  const after = sides.get('after');
  return before === undefined || after === undefined ? undefined : { before, after };
}
