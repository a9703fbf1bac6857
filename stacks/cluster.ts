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
  /** The two subnets the group places its instances in (it spreads them over both zones). */
  readonly subnetIds: readonly string[];
  /**
   * How many instances the group keeps (min = max = desired). 1: the instance takes over an
   * Elastic IP at boot. More: no Elastic IP; the instances register with `targetGroupArns`.
   * @default 1
   */
  readonly instanceCount?: number;
  /** The load balancer's target groups the group registers its instances with. @default none (one instance, its Elastic IP) */
  readonly targetGroupArns?: readonly string[];
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
 * With `instanceCount` N > 1 the group keeps N instances spread over both zones, registered with the
 * load balancer's target groups, and there is no Elastic IP (the balancer is the address). The group
 * still checks its instances' health the EC2 way: the balancer's health check takes an instance out
 * of traffic, and making it also terminate instances would let one bad image (every proxy failing its
 * check) replace the whole fleet in a loop.
 *
 * Managed termination protection is DISABLED on purpose: with it on, the instance is protected from
 * scale-in while tasks run, and `cdktf destroy` waits for a scale-in that never comes. Managed scaling
 * is off (the group is exactly one); managed draining is on, so a replaced instance's tasks drain.
 */
export class Cluster extends Construct {
  readonly cluster: EcsCluster;
  /** The address the one instance takes over; undefined with more than one instance. */
  readonly eip: Eip | undefined;
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
    const count = props.instanceCount ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new Error(`Cluster: instanceCount must be a whole number from 1, got ${count}`);
    const eip = count === 1 ? new Eip(this, 'address', { domain: 'vpc', tags: { Name: props.namePrefix } }) : undefined;
    this.eip = eip;
    const instanceTag = { key: 'platform:cluster', value: props.namePrefix };
    this.instanceTag = instanceTag;
    const role = new InstanceRole(this, 'instance-role', {
      namePrefix: props.namePrefix,
      partition: props.partition,
      region: props.region,
      eipAllocationId: eip?.allocationId,
      instanceTag,
    });

    const template = new LaunchTemplate(this, 'launch-template', {
      name: `${props.namePrefix}-instance`,
      imageId: ECS_AMI_PARAMETER,
      instanceType: props.instanceType,
      keyName: props.sshKeyName,
      iamInstanceProfile: { arn: role.profile.arn },
      // The boot script needs the internet (EC2 API) before it holds the Elastic IP; a fleet's
      // instances reach ECR, ECS and the ACME server through this address (there is no NAT gateway).
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
          eipAllocationId: eip?.allocationId,
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
      minSize: count,
      maxSize: count,
      desiredCapacity: count,
      vpcZoneIdentifier: [...props.subnetIds],
      targetGroupArns: props.targetGroupArns === undefined ? undefined : [...props.targetGroupArns],
      // The template's version number, not '$Latest': with '$Latest' a new version leaves the group as it
      // is and its instance refresh never starts; a number changes the group, and that starts the refresh.
      launchTemplate: { id: template.id, version: Token.asString(template.latestVersion) },
      healthCheckType: 'EC2',
      healthCheckGracePeriod: 120,
      protectFromScaleIn: false,
      // A new launch template version (instance type, user data) rolls the one instance; a fleet
      // one instance at a time, the others serving (N - 1 of N healthy).
      instanceRefresh: { strategy: 'Rolling', preferences: { minHealthyPercentage: Math.floor((100 * (count - 1)) / count) } },
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
