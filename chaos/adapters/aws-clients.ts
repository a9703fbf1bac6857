import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';

/**
 * Factories for the AWS clients the adapters talk through. Injected so that tests mock the AWS SDK
 * at this boundary (aws-sdk-client-mock); the defaults create each client once, in the outputs' region.
 */
export interface ClientFactories {
  ecs(): ECSClient;
  ec2(): EC2Client;
  autoScaling(): AutoScalingClient;
  /** Alarm states, for the stop conditions. */
  cloudWatch(): CloudWatchClient;
  /** Run Command, for host access over SSM. */
  ssm(): SSMClient;
  /** Who the credentials are, for the account guard (chaos/safety/account-guard.ts). */
  sts(): STSClient;
}

/** The real clients, each created on first use. */
export function awsClientFactories(region: string): ClientFactories {
  let ecs: ECSClient | undefined;
  let ec2: EC2Client | undefined;
  let autoScaling: AutoScalingClient | undefined;
  let cloudWatch: CloudWatchClient | undefined;
  let ssm: SSMClient | undefined;
  let sts: STSClient | undefined;
  return {
    ecs: () => (ecs ??= new ECSClient({ region })),
    ec2: () => (ec2 ??= new EC2Client({ region })),
    autoScaling: () => (autoScaling ??= new AutoScalingClient({ region })),
    cloudWatch: () => (cloudWatch ??= new CloudWatchClient({ region })),
    ssm: () => (ssm ??= new SSMClient({ region })),
    sts: () => (sts ??= new STSClient({ region })),
  };
}
