import { ActivityFailedError } from '../../errors';

/** One `df -P -k` line of a filesystem, in bytes. */
export type DiskUsage = {
  readonly sizeBytes: number;
  readonly usedBytes: number;
  readonly availableBytes: number;
  /** used / (used + available), as df's Capacity counts it (the root-reserved blocks are not available), one decimal. */
  readonly usedPercent: number;
  readonly mountedOn: string;
};

/** Parses `df -P -k <dir>` (POSIX format: one header line, one line per filesystem, 1024-byte blocks). */
export function parseDf(stdout: string): DiskUsage {
  const lines = stdout.trim().split('\n');
  const line = lines[lines.length - 1] ?? '';
  const match = /^\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+%\s+(\/.*)$/.exec(line.trim());
  if (lines.length !== 2 || match === null)
    throw new ActivityFailedError(`unexpected df -P -k output: ${JSON.stringify(stdout.slice(0, 300))}`);
  const [size, used, available] = [match[1], match[2], match[3]].map((n) => Number(n) * 1024) as [number, number, number];
  const usable = used + available;
  return {
    sizeBytes: size,
    usedBytes: used,
    availableBytes: available,
    usedPercent: usable === 0 ? 100 : Math.round((used / usable) * 1000) / 10,
    mountedOn: match[4] ?? '',
  };
}

/** Never written past this, whatever the mark: the host must keep room to log and to clean up. */
export const CEILING_PERCENT = 98;

/** Smaller fills than this are not worth a file: the mark counts as reached. */
const MIN_FILL_BYTES = 1024 * 1024;

/** How much to write, and which bound decided it. */
export type FillPlan = {
  readonly bytes: number;
  /** `mark`: the bytes reach the mark; `cap`: maxBytes is reached first; `already`: at or above the mark, nothing to write. */
  readonly bound: 'mark' | 'cap' | 'already';
  /** What reaching the mark would take, in bytes (0 when already there). */
  readonly toMarkBytes: number;
};

/** Bytes that take the filesystem to `markPercent` (df's way of counting), bounded by `maxBytes` and the ceiling. */
export function planFill(usage: DiskUsage, markPercent: number, maxBytes: number): FillPlan {
  const usable = usage.usedBytes + usage.availableBytes;
  const mark = Math.min(markPercent, CEILING_PERCENT);
  const toMark = Math.max(0, Math.floor((mark / 100) * usable) - usage.usedBytes);
  if (toMark < MIN_FILL_BYTES) return { bytes: 0, bound: 'already', toMarkBytes: toMark };
  // A whole number of 4 KiB blocks, so the bytes written are the bytes allocated.
  const blocks = (n: number): number => Math.floor(n / 4096) * 4096;
  return toMark <= maxBytes
    ? { bytes: blocks(toMark), bound: 'mark', toMarkBytes: toMark }
    : { bytes: blocks(maxBytes), bound: 'cap', toMarkBytes: toMark };
}
