import type { DescribeAutoScalingGroupsCommandOutput } from '@aws-sdk/client-auto-scaling';

export type Member = [id: string, lifecycle: 'Pending' | 'InService' | 'Terminating', health: 'Healthy' | 'Unhealthy'];

/** DescribeAutoScalingGroups as AWS answers it for the stack's group of one. */
export function group(members: Member[], name = 'platform-test-asg'): DescribeAutoScalingGroupsCommandOutput {
  return {
    $metadata: { httpStatusCode: 200 },
    AutoScalingGroups: [
      {
        AutoScalingGroupName: name,
        AutoScalingGroupARN: `arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:2f1c7d40-0c1e-4c3b-9a53-0d5c2b2f3e4a:autoScalingGroupName/${name}`,
        MinSize: 1,
        MaxSize: 1,
        DesiredCapacity: 1,
        DefaultCooldown: 300,
        AvailabilityZones: ['us-east-1a'],
        HealthCheckType: 'EC2',
        HealthCheckGracePeriod: 60,
        CreatedTime: new Date('2026-05-01T00:00:00Z'),
        Instances: members.map(([InstanceId, LifecycleState, HealthStatus]) => ({
          InstanceId,
          InstanceType: 't3.small',
          AvailabilityZone: 'us-east-1a',
          LifecycleState,
          HealthStatus,
          LaunchTemplate: { LaunchTemplateId: 'lt-0a1b2c3d4e5f60718', LaunchTemplateName: 'platform-test', Version: '1' },
          ProtectedFromScaleIn: false,
        })),
      },
    ],
  };
}
