import type { JsonObject } from '../../contract/json';
import type { PlatformOutputs } from '../../contract/outputs';
import type { ClientFactories } from '../adapters/aws-clients';
import { ecsOrchestrator } from '../adapters/ecs/ecs-orchestrator';
import { processSshEnvironment, type SshEnvironment } from '../adapters/ssh/ssh-settings';
import { sshHostAccess } from '../adapters/ssh/ssh-host-access';
import type { SsmCommandSettings } from '../adapters/ssm/ssm-command';
import { DEFAULT_SSM_SETTINGS, ssmHostAccess } from '../adapters/ssm/ssm-host-access';
import { UsageError } from '../errors';
import { localDockerCli, type DockerCli } from '../adapters/swarm/docker-cli';
import { swarmOrchestrator } from '../adapters/swarm/swarm-orchestrator';
import { nodeControlFleet } from '../adapters/swarm/node-control';
import type { HostAccess, PortName, PortRequirement, Ports } from '../faults/ports';
import type { TargetView } from '../faults/types';

/**
 * The one place that knows what each target offers: for the outputs' `target`, one adapter per port
 * it can serve, and for the others why not. A run binds its faults here once; `--dry-run` and
 * `validate --outputs` refuse what the run would refuse, and the journal records what was bound.
 */

/** Where a target's SSH key and known_hosts are looked for when nothing else names them. */
export const SSH_KEY_DIRS: Readonly<Record<PlatformOutputs['target'], string>> = {
  aws: '~/.ssh',
  // `rehearsal up` writes its key pair and pinned host key here.
  local: '.rehearsal/ssh',
};

/** What the adapters are made from; tests inject their own. */
export interface AdapterSources {
  /** The AWS clients (created lazily by the default factories, so the local target never makes one). */
  readonly clients: ClientFactories;
  /** The docker CLI aimed at an engine (`DOCKER_HOST`, null for the CLI's default). */
  readonly docker?: (host: string | null) => DockerCli;
  readonly sshEnvironment?: () => SshEnvironment;
  /** `--host-access`: overrides the access the outputs say the deployment offers. */
  readonly hostAccess?: HostAccess['name'] | undefined;
  /** The local target's host access itself, instead of SSH to the outputs' host (tests: a fake host). */
  readonly localHost?: HostAccess;
  /** How SSM commands are polled and timed out (tests shorten it). */
  readonly ssm?: SsmCommandSettings;
}

/** A target with its adapters bound. */
export interface TargetBinding extends TargetView {
  /** Which adapter serves each port (null: none here), for the journal and the dry run. */
  readonly adapters: JsonObject;
  /** Null when every port the fault requires is served here, else why the fault is refused. */
  refusal(faultId: string, requires: readonly PortRequirement[]): string | null;
}

type Bound = { readonly [P in PortName]?: Ports[P] };
type Missing = { readonly [P in PortName]?: string };

function adaptersFor(outputs: PlatformOutputs, sources: AdapterSources): { bound: Bound; missing: Missing; extra: JsonObject } {
  const ssh = sources.sshEnvironment ?? processSshEnvironment;
  switch (outputs.target) {
    case 'aws': {
      // The outputs say what the deployment opened: SSM by default, SSH when the config set a key pair or CIDRs.
      const access = sources.hostAccess ?? outputs.hostAccess;
      return {
        bound: {
          orchestrator: ecsOrchestrator(outputs, sources.clients),
          host:
            access === 'ssm'
              ? ssmHostAccess(outputs, sources.clients, sources.ssm ?? DEFAULT_SSM_SETTINGS)
              : sshHostAccess(outputs, SSH_KEY_DIRS.aws, ssh),
          aws: { name: 'aws', ...sources.clients },
        },
        missing: { nodes: 'on AWS the instances are EC2 instances of the Auto Scaling group, reached through the AWS APIs' },
        extra: { region: outputs.region },
      };
    }
    case 'local': {
      if (sources.hostAccess === 'ssm')
        throw new UsageError('--host-access ssm: the local target has no SSM; the rehearsal is reached over SSH only');
      const host = outputs.dockerHost ?? null;
      let cli: DockerCli | undefined;
      const docker = (): DockerCli => (cli ??= (sources.docker ?? ((h) => localDockerCli({ host: h })))(host));
      const hostAccess = sources.localHost ?? sshHostAccess(outputs, SSH_KEY_DIRS.local, ssh);
      const nodes = nodeControlFleet(outputs, hostAccess, docker);
      return {
        bound: { orchestrator: swarmOrchestrator(outputs, docker), host: hostAccess, ...(nodes === null ? {} : { nodes }) },
        missing: {
          aws: 'the rehearsal runs on this machine, with no AWS APIs (try it against a deployed stack)',
          ...(nodes === null
            ? {
                nodes:
                  'the outputs are of the single-node rehearsal (no nodes, no nodeControl): start the multi-node one with `npm run rehearsal:up -- --nodes 3`',
              }
            : {}),
        },
        extra: { dockerHost: host },
      };
    }
  }
}

/** Binds the outputs' target to its adapters. */
export function bindTarget(outputs: PlatformOutputs, sources: AdapterSources): TargetBinding {
  const { bound, missing, extra } = adaptersFor(outputs, sources);
  const nameOf = (port: PortName): string | null => bound[port]?.name ?? null;
  const ports: readonly PortName[] = ['orchestrator', 'host', 'aws', 'nodes'];
  const refusal = (faultId: string, requires: readonly PortRequirement[]): string | null => {
    for (const need of requires) {
      const name = nameOf(need.port);
      if (name !== null && (need.adapter === undefined || need.adapter === name)) continue;
      // Either port serves it: the one this target has is used (the instance faults: aws or nodes).
      if (need.or !== undefined && nameOf(need.or) !== null) continue;
      // The alternative's absence explains more (a single-node rehearsal lacks `nodes`, and never has `aws`).
      const why =
        need.why ??
        (need.or === undefined ? undefined : missing[need.or]) ??
        missing[need.port] ??
        `it needs the ${need.adapter ?? ''} ${need.port} adapter, and this target has ${name ?? 'none'}`;
      return `${faultId} is not available on the ${outputs.target} target: ${why}`;
    }
    return null;
  };
  return {
    outputs,
    adapters: { target: outputs.target, ...Object.fromEntries(ports.map((p) => [p, nameOf(p)])), ...extra },
    refusal,
    serves: (port) => nameOf(port) !== null,
    use<P extends PortName>(port: P): Ports[P] {
      const adapter: Ports[P] | undefined = bound[port];
      // Faults are checked against `refusal` when bound, so this is a programming error.
      if (adapter === undefined)
        throw new Error(`no ${port} adapter on the ${outputs.target} target (the fault was not checked when bound)`);
      return adapter;
    },
  };
}
