import { createHash } from 'node:crypto';
import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { PlatformOutputs } from '../../contract/outputs';
import { systemErrorCode, TargetBusyError } from '../errors';
import { runtimeDir } from './runtime-dir';

/**
 * One run per target on this machine: a lock file per target (the ECS cluster, or the
 * rehearsal's swarm), created atomically before the steady state and removed at the end. A lock
 * whose holder died (SIGKILL, a lost machine) is taken over with a warning that points at the
 * journal it left, which `chaos rollback` finishes. Runs from other machines are not seen: a
 * team shares a target through its pipeline's concurrency group.
 */

const holderSchema = z.object({ pid: z.number().int(), journal: z.string(), target: z.string(), since: z.string() });
export type LockHolder = z.infer<typeof holderSchema>;

export interface TargetLock {
  /** The dead run whose lock this one took over, if any. */
  readonly tookOverFrom: LockHolder | null;
  release(): void;
}

/** What names the target: the cluster (its ARN on AWS, the swarm id locally). */
export function targetKey(outputs: PlatformOutputs): string {
  return `${outputs.target}:${outputs.clusterArn}`;
}

/** Whether a process with that pid exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return systemErrorCode(error) === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const parsed = holderSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Takes the lock of the outputs' target for `journal`, or throws `TargetBusyError` naming the holder. */
export function lockTarget(outputs: PlatformOutputs, journal: string, env: Readonly<Record<string, string | undefined>>): TargetLock {
  const key = targetKey(outputs);
  const file = join(runtimeDir(env), 'locks', `${createHash('sha256').update(key).digest('hex').slice(0, 24)}.json`);
  const me: LockHolder = { pid: process.pid, journal, target: key, since: new Date().toISOString() };
  let tookOverFrom: LockHolder | null = null;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${JSON.stringify(me)}\n`);
      closeSync(fd);
      return {
        tookOverFrom,
        release: () => {
          // Only our own lock: a run that took over a lock it thought stale must keep it.
          if (readHolder(file)?.pid === process.pid) unlinkSync(file);
        },
      };
    } catch (error) {
      if (systemErrorCode(error) !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    if (holder !== null && processAlive(holder.pid)) {
      throw new TargetBusyError(
        `${key} is busy: run ${holder.pid} holds it since ${holder.since} (journal ${holder.journal}); wait for it, or stop it with \`npm run chaos -- halt\``,
      );
    }
    tookOverFrom = holder;
    try {
      unlinkSync(file);
    } catch (error) {
      if (systemErrorCode(error) !== 'ENOENT') throw error;
    }
  }
  throw new TargetBusyError(`${key}: another run took the lock at the same moment; try again`);
}
