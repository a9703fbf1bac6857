import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsCapacityProvider } from '@cdktf/provider-aws/lib/ecs-capacity-provider';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { ECS_AMI_PARAMETER } from '../../stacks/cluster';
import { userData } from '../../stacks/user-data';
import { resourcesOf, synthPlatform } from './support';

describe('Cluster', () => {
  const { json, tf } = synthPlatform({ instanceType: 't3.medium', rootVolumeGiB: 40, sshKeyName: 'ops' });

  it('enables Container Insights', () => {
    expect(json).toHaveResourceWithProperties(EcsCluster, {
      name: 'platform-test',
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
  });

  it('launches the ECS-optimized AL2023 AMI through SSM, with IMDSv2 required and hop limit 1', () => {
    expect(json).toHaveResourceWithProperties(LaunchTemplate, {
      image_id: ECS_AMI_PARAMETER,
      instance_type: 't3.medium',
      key_name: 'ops',
      metadata_options: {
        http_endpoint: 'enabled',
        http_tokens: 'required',
        http_put_response_hop_limit: 1,
        instance_metadata_tags: 'disabled',
      },
    });
    expect(tf.data?.aws_ami).toBeUndefined();
  });

  it('encrypts a gp3 root volume of the configured size', () => {
    expect(json).toHaveResourceWithProperties(LaunchTemplate, {
      block_device_mappings: [
        { device_name: '/dev/xvda', ebs: { volume_size: 40, volume_type: 'gp3', encrypted: 'true', delete_on_termination: 'true' } },
      ],
    });
  });

  it('keeps exactly one instance across both subnets', () => {
    expect(json).toHaveResourceWithProperties(AutoscalingGroup, {
      min_size: 1,
      max_size: 1,
      desired_capacity: 1,
      health_check_type: 'EC2',
    });
    const [group] = resourcesOf(tf, 'aws_autoscaling_group');
    expect(group.vpc_zone_identifier).toHaveLength(2);
  });

  it('ties the group to the cluster with termination protection off (destroy would hang) and draining on', () => {
    expect(json).toHaveResourceWithProperties(EcsCapacityProvider, {
      auto_scaling_group_provider: expect.objectContaining({
        managed_termination_protection: 'DISABLED',
        managed_draining: 'ENABLED',
        managed_scaling: { status: 'DISABLED' },
      }),
    });
    expect(json).toHaveResource(EcsClusterCapacityProviders);
  });

  it('boots with a script that joins the cluster, shortens recovery and takes the Elastic IP', () => {
    const [template] = resourcesOf(tf, 'aws_launch_template');
    expect(String(template.user_data)).toMatch(/^\$\{base64encode\(/);
    const script = userData({ region: 'eu-west-1', clusterName: 'c', eipAllocationId: 'eipalloc-1', containerStopTimeoutSeconds: 15 });
    expect(script).toContain('ECS_CLUSTER=c');
    expect(script).toContain('ECS_IMAGE_PULL_BEHAVIOR=prefer-cached');
    expect(script).toContain('ECS_CONTAINER_STOP_TIMEOUT=15s');
    expect(script).toMatch(
      /aws ec2 associate-address --region eu-west-1 --allocation-id eipalloc-1 --instance-id \$INSTANCE_ID --allow-reassociation/,
    );
    // Terraform template syntax and double quotes would be rewritten by synth (see user-data.ts).
    expect(script).not.toMatch(/\$\{|%\{|"/);
  });

  it('lets the instance associate only its own Elastic IP, with no wildcard actions', () => {
    const docs = Object.values(tf.data?.aws_iam_policy_document ?? {});
    const eip = docs.find((d) => JSON.stringify(d).includes('ec2:AssociateAddress'));
    const statements = (eip?.statement ?? []) as { actions: string[]; resources: string[] }[];
    expect(statements.flatMap((s) => s.actions)).toEqual(['ec2:AssociateAddress', 'ec2:AssociateAddress']);
    expect(statements[0].resources[0]).toMatch(/elastic-ip\/\$\{aws_eip\./);
  });
});
