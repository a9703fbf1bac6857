import { Construct } from 'constructs';
import { Fn, Token } from 'cdktf';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsCapacityProvider } from '@cdktf/provider-aws/lib/ecs-capacity-provider';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { InstanceRole } from './instance-role';
import { userData } from './user-data';

/** The ECS-optimized Amazon Linux 2023 AMI, resolved by EC2 at launch (no data source: plans offline). */
export const ECS_AMI_PARAMETER = 'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id';

export interface ClusterProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly partition: string;
  readonly instanceType: string;
  readonly rootVolumeGiB: number;
  /** The two subnets the group may place its instance in. */
  readonly subnetIds: readonly string[];
  readonly instanceSecurityGroupId: string;
  /** EC2 key pair for SSH. @default none (SSM Session Manager only) */
  readonly sshKeyName?: string;
  /** Seconds the ECS agent gives a container between SIGTERM and SIGKILL. */
  readonly containerStopTimeoutSeconds: number;
}

/**
 * The ECS cluster and its capacity: one self-healing instance. An Auto Scaling group of exactly one
 * across both subnets replaces a lost instance; the Elastic IP follows it (the boot script takes the
 * address over), so the platform's address never changes.
 *
 * Managed termination protection is DISABLED on purpose: with it on, the instance is protected from
 * scale-in while tasks run, and `cdktf destroy` waits for a scale-in that never comes. Managed scaling
 * is off (the group is exactly one); managed draining is on, so a replaced instance's tasks drain.
 */
export class Cluster extends Construct {
  readonly cluster: EcsCluster;
  readonly eip: Eip;
  readonly autoScalingGroup: AutoscalingGroup;
  readonly capacityProvider: EcsCapacityProvider;
  /** Services depend on this so they are created after the cluster's strategy exists. */
  readonly capacityProviders: EcsClusterCapacityProviders;
  /** The tag every instance of the group carries: policies on instances are limited to it. */
  readonly instanceTag: { readonly key: string; readonly value: string };

  constructor(scope: Construct, id: string, props: ClusterProps) {
    super(scope, id);
    this.cluster = new EcsCluster(this, 'cluster', {
      name: props.namePrefix,
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
    this.eip = new Eip(this, 'address', { domain: 'vpc', tags: { Name: props.namePrefix } });
    const instanceTag = { key: 'platform:cluster', value: props.namePrefix };
    this.instanceTag = instanceTag;
    const role = new InstanceRole(this, 'instance-role', {
      namePrefix: props.namePrefix,
      partition: props.partition,
      region: props.region,
      eipAllocationId: this.eip.allocationId,
      instanceTag,
    });

    const template = new LaunchTemplate(this, 'launch-template', {
      name: `${props.namePrefix}-instance`,
      imageId: ECS_AMI_PARAMETER,
      instanceType: props.instanceType,
      keyName: props.sshKeyName,
      iamInstanceProfile: { arn: role.profile.arn },
      // The boot script needs the internet (EC2 API) before it holds the Elastic IP.
      networkInterfaces: [
        { associatePublicIpAddress: 'true', deleteOnTermination: 'true', securityGroups: [props.instanceSecurityGroupId] },
      ],
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'disabled',
      },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: { volumeSize: props.rootVolumeGiB, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
        },
      ],
      monitoring: { enabled: true },
      userData: Fn.base64encode(
        userData({
          region: props.region,
          clusterName: this.cluster.name,
          eipAllocationId: this.eip.allocationId,
          containerStopTimeoutSeconds: props.containerStopTimeoutSeconds,
        }),
      ),
      updateDefaultVersion: true,
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: props.namePrefix, [instanceTag.key]: instanceTag.value } },
        { resourceType: 'volume', tags: { Name: props.namePrefix } },
      ],
    });

    this.autoScalingGroup = new AutoscalingGroup(this, 'group', {
      name: props.namePrefix,
      minSize: 1,
      maxSize: 1,
      desiredCapacity: 1,
      vpcZoneIdentifier: [...props.subnetIds],
      // The template's version number, not '$Latest': with '$Latest' a new version leaves the group as it
      // is and its instance refresh never starts; a number changes the group, and that starts the refresh.
      launchTemplate: { id: template.id, version: Token.asString(template.latestVersion) },
      healthCheckType: 'EC2',
      healthCheckGracePeriod: 120,
      protectFromScaleIn: false,
      // A new launch template version (instance type, user data) rolls the one instance.
      instanceRefresh: { strategy: 'Rolling', preferences: { minHealthyPercentage: 0 } },
      tag: [{ key: 'AmazonECSManaged', value: 'true', propagateAtLaunch: true }],
    });

    this.capacityProvider = new EcsCapacityProvider(this, 'capacity', {
      name: `${props.namePrefix}-asg`,
      autoScalingGroupProvider: {
        autoScalingGroupArn: this.autoScalingGroup.arn,
        managedTerminationProtection: 'DISABLED',
        managedDraining: 'ENABLED',
        managedScaling: { status: 'DISABLED' },
      },
    });
    this.capacityProviders = new EcsClusterCapacityProviders(this, 'strategy', {
      clusterName: this.cluster.name,
      capacityProviders: [this.capacityProvider.name],
      defaultCapacityProviderStrategy: [{ capacityProvider: this.capacityProvider.name, weight: 1, base: 0 }],
    });
  }
}
