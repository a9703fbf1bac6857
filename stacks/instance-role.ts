import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { assumeRolePolicy, policyDocument } from './iam';

export interface InstanceRoleProps {
  readonly namePrefix: string;
  /** AWS partition ("aws", "aws-us-gov", ...), for ARNs. */
  readonly partition: string;
  readonly region: string;
  /** Allocation id of the Elastic IP the instance takes over on boot. @default none (a fleet: no association, no such permission) */
  readonly eipAllocationId?: string;
  /** Tag key/value the group puts on its instances; the association is limited to tagged instances. */
  readonly instanceTag: { readonly key: string; readonly value: string };
}

/**
 * The container instance's role: the ECS agent's managed policy, SSM Session Manager (shell access
 * without opening port 22), and the one Elastic IP association it performs at boot, scoped to that
 * address and to the group's own (tagged) instances.
 */
export class InstanceRole extends Construct {
  readonly role: IamRole;
  readonly profile: IamInstanceProfile;

  constructor(scope: Construct, id: string, props: InstanceRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, 'role', {
      name: `${props.namePrefix}-instance`,
      assumeRolePolicy: assumeRolePolicy(this, 'trust', 'ec2.amazonaws.com'),
    });
    for (const [rid, policy] of [
      ['ecs-agent', 'service-role/AmazonEC2ContainerServiceforEC2Role'],
      ['ssm-core', 'AmazonSSMManagedInstanceCore'],
    ] as const) {
      new IamRolePolicyAttachment(this, rid, {
        role: this.role.name,
        policyArn: `arn:${props.partition}:iam::aws:policy/${policy}`,
      });
    }
    const allocationId = props.eipAllocationId;
    if (allocationId !== undefined) {
      const arn = (resource: string) => `arn:${props.partition}:ec2:${props.region}:*:${resource}`;
      new IamRolePolicy(this, 'elastic-ip', {
        role: this.role.id,
        name: 'associate-elastic-ip',
        policy: policyDocument(this, 'elastic-ip-policy', [
          { sid: 'TheAddress', actions: ['ec2:AssociateAddress'], resources: [arn(`elastic-ip/${allocationId}`)] },
          {
            sid: 'OwnInstances',
            actions: ['ec2:AssociateAddress'],
            resources: [arn('instance/*'), arn('network-interface/*')],
            conditions: [{ test: 'StringEquals', variable: `aws:ResourceTag/${props.instanceTag.key}`, values: [props.instanceTag.value] }],
          },
        ]),
      });
    }
    this.profile = new IamInstanceProfile(this, 'profile', { name: `${props.namePrefix}-instance`, role: this.role.name });
  }
}
