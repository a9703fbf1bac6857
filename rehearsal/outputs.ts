import { mkdirSync, writeFileSync } from 'node:fs';
import { platformOutputsSchema, type LocalOutputs, type PlatformOutputs, type ServiceOutputs } from '../contract/outputs';
import { SERVICES, type ServiceName } from '../contract/services';
import { StepFailedError } from './errors';
import { IMAGE_TAG, imageRepository } from './images';
import { CERTIFICATE_VOLUME, ENVIRONMENT, NAME_PREFIX, STACK_NAME, rehearsalFiles, type RehearsalSettings } from './settings';
import type { SshEndpoint } from './sshd';
import { rehearsalCopies } from './stack-file';
import { swarmServiceName } from './swarm';

/** What the rehearsal's outputs are made from. */
interface LocalOutputsInputs {
  readonly proxyPort: number;
  readonly ssh: Pick<SshEndpoint, 'host' | 'port' | 'user'>;
  /** Swarm cluster id (`docker info`). */
  readonly clusterId: string;
  /** Id of the swarm's one node: the local stand-in for the instance in the Auto Scaling group. */
  readonly nodeId: string;
  /** The engine the swarm runs on (`DOCKER_HOST`); null for the docker CLI's default. */
  readonly dockerHost: string | null;
  /** The command restarting that engine, when the rehearsal started it itself (else it is not ours to restart). */
  readonly runtimeRestart?: readonly string[] | undefined;
  /** Multi-node only: the nodes and the node-control command. */
  readonly nodes?: readonly { readonly name: string; readonly zone: 'zone-a' | 'zone-b'; readonly address: string }[] | undefined;
  readonly nodeControl?: readonly string[] | undefined;
}

function serviceOutputs(service: ServiceName, port: number = SERVICES[service].port): ServiceOutputs {
  const spec = SERVICES[service];
  const copies = rehearsalCopies().filter((c) => c.service === service);
  return {
    serviceName: swarmServiceName(service),
    containerName: spec.containerName,
    port,
    healthPath: spec.healthPath,
    // The names the stack gives the task definition family and the log group, as labels.
    taskFamily: `${NAME_PREFIX}-${service}`,
    logGroup: `/${NAME_PREFIX}/${service}`,
    // The proxy's one copy listens where the rehearsal put it (copy 1's port is `port`).
    copies: copies.map((c, i) => ({
      serviceName: swarmServiceName(c.name),
      containerName: spec.containerName,
      port: i === 0 ? port : c.port,
      taskFamily: `${NAME_PREFIX}-${c.name}`,
    })),
  };
}

/**
 * The rehearsal in the `PlatformOutputs` shape the stack emits, marked `target: "local"`: swarm
 * service names for ECS services, the swarm for the cluster, its node for the Auto Scaling group,
 * loopback for the public address, the named volume for the EFS file system.
 */
export function localOutputs(inputs: LocalOutputsInputs): LocalOutputs {
  return {
    target: 'local',
    environment: ENVIRONMENT,
    region: 'local',
    clusterName: STACK_NAME,
    clusterArn: `swarm:${inputs.clusterId}`,
    services: { frontend: serviceOutputs('frontend'), api: serviceOutputs('api'), proxy: serviceOutputs('proxy', inputs.proxyPort) },
    asgName: `swarm-node:${inputs.nodeId}`,
    publicIp: '127.0.0.1',
    publicUrl: `http://127.0.0.1:${inputs.proxyPort}`,
    sshUser: inputs.ssh.user,
    sshHost: inputs.ssh.host,
    sshPort: inputs.ssh.port,
    certificateVolume: CERTIFICATE_VOLUME,
    repositoryUrls: { frontend: imageRepository('frontend'), api: imageRepository('api'), proxy: imageRepository('proxy') },
    imageTag: IMAGE_TAG,
    // The chaos CLI's swarm adapter talks to this engine: the outputs name it, nothing else does.
    ...(inputs.dockerHost === null ? {} : { dockerHost: inputs.dockerHost }),
    ...(inputs.runtimeRestart === undefined ? {} : { runtimeRestart: [...inputs.runtimeRestart] }),
    ...(inputs.nodes === undefined ? {} : { nodes: inputs.nodes.map((n) => ({ name: n.name, zone: n.zone, address: n.address })) }),
    ...(inputs.nodeControl === undefined ? {} : { nodeControl: [...inputs.nodeControl] }),
  };
}

/** Validates the outputs against the contract, then writes `.rehearsal/outputs.json`; returns its path. */
export function writeOutputs(settings: RehearsalSettings, outputs: PlatformOutputs): string {
  const checked = platformOutputsSchema.safeParse(outputs);
  if (!checked.success) {
    throw new StepFailedError(
      `the rehearsal's outputs break the PlatformOutputs contract: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const file = rehearsalFiles(settings).outputs;
  mkdirSync(settings.rehearsalDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(checked.data, null, 2)}\n`);
  return file;
}
