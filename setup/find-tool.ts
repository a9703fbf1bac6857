import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';

/** Directories searched besides PATH: dockerd, sshd and debootstrap live in sbin, often not on a user's PATH. */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The absolute path of `command`, or undefined when it is not installed. */
export function findTool(command: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== ''), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory: the next one may have it.
    }
  }
  return undefined;
}
