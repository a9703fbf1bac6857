/**
 * A network namespace of a test's own (`ip netns add`), with only its loopback, up. A process in it
 * binds ports 80 and 443 without meeting whatever holds them on the host (the rehearsal's proxy
 * listens on 127.0.0.1:80), and nothing it sends can leave the machine: there is no other
 * interface. Creating one takes root.
 */
import { run, runCommand, type CommandResult } from '../../../rehearsal/command';

/** Who a command runs as inside the namespace (setpriv): no supplementary groups, no capabilities to inherit. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
  /**
   * The bounding set, setpriv's syntax (`-all,+net_bind_service`), as the container runtime leaves
   * it after cap_drop/cap_add; undefined keeps the test process's.
   */
  readonly boundingSet?: string;
  /** no_new_privs, as Docker's `no-new-privileges`: the kernel then ignores file capabilities. */
  readonly noNewPrivs?: boolean;
}

export class NetworkNamespace {
  private constructor(
    readonly name: string,
    private readonly ip: string,
  ) {}

  /** Adds the namespace and brings its loopback up. */
  static async create(ip: string, name: string): Promise<NetworkNamespace> {
    await run(ip, ['netns', 'add', name]);
    const ns = new NetworkNamespace(name, ip);
    try {
      await run(ip, ['-n', name, 'link', 'set', 'lo', 'up']);
    } catch (error) {
      await ns.remove();
      throw error;
    }
    return ns;
  }

  /**
   * The command line that runs `command args` inside the namespace, as `user` when given. `ip netns
   * exec` and setpriv both exec in place, so the pid of the started process is the command's own.
   */
  argv(command: string, args: readonly string[], user?: RunAs): readonly [string, readonly string[]] {
    const setpriv =
      user === undefined
        ? []
        : [
            'setpriv',
            `--reuid=${user.uid}`,
            `--regid=${user.gid}`,
            '--clear-groups',
            '--inh-caps=-all',
            ...(user.boundingSet === undefined ? [] : [`--bounding-set=${user.boundingSet}`]),
            ...(user.noNewPrivs === true ? ['--no-new-privs'] : []),
          ];
    return [this.ip, ['netns', 'exec', this.name, ...setpriv, command, ...args]];
  }

  /** Runs `command args` inside the namespace to completion. */
  exec(command: string, args: readonly string[], user?: RunAs, timeoutMs = 20_000): Promise<CommandResult> {
    const [cmd, argv] = this.argv(command, args, user);
    return runCommand(cmd, argv, { timeoutMs });
  }

  /** Deletes the namespace (its processes must be gone first: they would keep it alive unnamed). */
  async remove(): Promise<void> {
    await runCommand(this.ip, ['netns', 'delete', this.name]);
  }
}
