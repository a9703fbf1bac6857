import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { localDockerCli } from '../adapters/swarm/docker-cli';
import type { ClientFactories, DockerCli, FaultRecord, ObservedIdentity, StoppedUnit } from '../faults/types';

/** A run's memory of what its faults stopped and which identities answered, in order. */
export function createFaultRecord(): FaultRecord {
  const stops: StoppedUnit[] = [];
  const seen: ObservedIdentity[] = [];
  const latest = (matches: (s: StoppedUnit) => boolean): StoppedUnit | undefined => [...stops].reverse().find(matches);
  return {
    stopped: (unit) => void stops.push(unit),
    observed: (identity) => void seen.push(identity),
    lastStopped: (service, unit) => latest((s) => s.service === service && s.unit === unit),
    lastFault: (service) => latest((s) => s.service === service),
    identitiesBefore: (service, before) => [...new Set(seen.filter((o) => o.service === service && o.at < before).map((o) => o.identity))],
  };
}

/**
 * The real clients, each created on first use: AWS in the outputs' region, the docker CLI aimed at
 * the local rehearsal's engine, and one fault record for the command's runs.
 */
export function awsClientFactories(region: string): ClientFactories {
  let ecs: ECSClient | undefined;
  let ec2: EC2Client | undefined;
  let autoScaling: AutoScalingClient | undefined;
  let docker: DockerCli | undefined;
  const record = createFaultRecord();
  return {
    ecs: () => (ecs ??= new ECSClient({ region })),
    ec2: () => (ec2 ??= new EC2Client({ region })),
    autoScaling: () => (autoScaling ??= new AutoScalingClient({ region })),
    docker: () => (docker ??= localDockerCli()),
    faultRecord: () => record,
  };
}
