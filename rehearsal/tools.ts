import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';
import { PrerequisiteError } from './errors';

/** A system command the rehearsal runs, and the Debian package that ships it. */
export interface Tool {
  readonly command: string;
  readonly aptPackage: string;
}

/** Every command the rehearsal may run. Installing them is CI's job (and the user's), never ours. */
export const TOOLS = {
  docker: { command: 'docker', aptPackage: 'docker.io' },
  dockerd: { command: 'dockerd', aptPackage: 'docker.io' },
  debootstrap: { command: 'debootstrap', aptPackage: 'debootstrap' },
  tar: { command: 'tar', aptPackage: 'tar' },
  sshd: { command: 'sshd', aptPackage: 'openssh-server' },
  sshKeygen: { command: 'ssh-keygen', aptPackage: 'openssh-client' },
  ssh: { command: 'ssh', aptPackage: 'openssh-client' },
} as const satisfies Record<string, Tool>;

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

/** The one line that installs `tools`' packages on Debian or Ubuntu. */
function aptInstallLine(tools: readonly Tool[]): string {
  const packages = [...new Set(tools.map((t) => t.aptPackage))].sort();
  return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/**
 * The absolute path of each tool; when any is missing, one {@link PrerequisiteError} that names
 * them all, says what they are `for`, and gives the apt-get line.
 */
export function requireTools<K extends string>(tools: Readonly<Record<K, Tool>>, purpose: string): Readonly<Record<K, string>> {
  const found: Partial<Record<K, string>> = {};
  const missing: Tool[] = [];
  for (const key of Object.keys(tools) as K[]) {
    const tool = tools[key];
    const where = findTool(tool.command);
    if (where === undefined) missing.push(tool);
    else found[key] = where;
  }
  if (missing.length > 0) {
    throw new PrerequisiteError(
      `${purpose} needs ${missing.map((t) => t.command).join(', ')}, not installed here.\n` + `Install with: ${aptInstallLine(missing)}`,
    );
  }
  return found as Record<K, string>;
}
