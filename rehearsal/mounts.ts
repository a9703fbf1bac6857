import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Mount points at or below `dir` (debootstrap mounts /proc and /sys inside its target while it runs). */
export function mountsUnder(dir: string): readonly string[] {
  const root = path.resolve(dir);
  return (
    readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      // Field 5 is the mount point, with spaces and the like octal-escaped (\040).
      .map((line) => (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
      .filter((mountPoint) => mountPoint === root || mountPoint.startsWith(`${root}/`))
  );
}
