import { ActivityFailedError } from '../../errors';
import type { HostCommands } from '../../faults/ports';

/** Where each tool a host fault may need comes from, for the one line that refuses without it. */
const SOURCES: Readonly<Record<string, string>> = {
  iptables: 'dnf install -y iptables-nft on Amazon Linux 2023, apt-get install -y iptables on Debian',
  ip6tables: 'dnf install -y iptables-nft on Amazon Linux 2023, apt-get install -y iptables on Debian',
  setsid: 'util-linux',
  timeout: 'coreutils',
  pgrep: 'procps-ng on Amazon Linux 2023, procps on Debian',
  docker: 'the container runtime itself',
};

/** Prints each missing tool, one a line. */
const MISSING_SCRIPT = 'for t in "$@"; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done';

/** Refuses with one line naming the first missing tool and where it comes from. */
export async function requireHostTools(session: HostCommands, where: string, tools: readonly (keyof typeof SOURCES)[]): Promise<void> {
  const result = await session.exec(['sh', '-c', MISSING_SCRIPT, 'platform-chaos-tools', ...tools]);
  const missing = result.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const first = missing[0];
  if (first !== undefined)
    throw new ActivityFailedError(
      `${first} is missing on ${where}: install it (${SOURCES[first] ?? 'from the distribution'}), then run again`,
    );
}
