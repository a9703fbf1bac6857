import { findTool } from '../setup/find-tool';
import { PrerequisiteError } from './errors';

export { findTool };

/** A system command the rehearsal runs, and the Debian package that ships it. */
export interface Tool {
  readonly command: string;
  readonly aptPackage: string;
}

/** Every command the rehearsal may run (`npm start` installs their packages first: `setup/install.ts`). */
export const TOOLS = {
  docker: { command: 'docker', aptPackage: 'docker.io' },
  dockerd: { command: 'dockerd', aptPackage: 'docker.io' },
  debootstrap: { command: 'debootstrap', aptPackage: 'debootstrap' },
  tar: { command: 'tar', aptPackage: 'tar' },
  sshd: { command: 'sshd', aptPackage: 'openssh-server' },
  sshKeygen: { command: 'ssh-keygen', aptPackage: 'openssh-client' },
  ssh: { command: 'ssh', aptPackage: 'openssh-client' },
} as const satisfies Record<string, Tool>;

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
