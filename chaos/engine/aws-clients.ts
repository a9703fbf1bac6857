import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { ClientFactories } from '../drivers/types';

/** The real AWS clients, each created on first use, in the outputs' region. */
export function awsClientFactories(region: string): ClientFactories {
  let ecs: ECSClient | undefined;
  let ec2: EC2Client | undefined;
  let autoScaling: AutoScalingClient | undefined;
  return {
    ecs: () => (ecs ??= new ECSClient({ region })),
    ec2: () => (ec2 ??= new EC2Client({ region })),
    autoScaling: () => (autoScaling ??= new AutoScalingClient({ region })),
  };
}
