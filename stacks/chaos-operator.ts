import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { assumeRoleByPrincipals, policyDocument, type PolicyStatement } from './iam';

export interface ChaosOperatorProps {
  readonly namePrefix: string;
  readonly partition: string;
  readonly region: string;
  /** The cluster's ARN; task, container instance and alarm ARNs are derived from it (its account, no lookup). */
  readonly clusterArn: string;
  /** The cluster's name, as it appears in task and container instance ARNs. */
  readonly clusterName: string;
  /** ARNs of the services the faults scale and describe. */
  readonly serviceArns: readonly string[];
  /** The tag the group puts on its instances (stacks/cluster.ts): faults on instances are limited to it. */
  readonly instanceTag: { readonly key: string; readonly value: string };
  /** Principals that may assume a role carrying the policy; none: no role. */
  readonly trustedArns?: readonly string[];
}

/** The document SSM faults run; AWS-owned documents have no account in their ARN. */
export const SSM_SHELL_DOCUMENT = 'AWS-RunShellScript';

/**
 * Exactly what the chaos drivers call (`__tests__/stacks/chaos-operator-coverage.test.ts` derives that
 * list from `chaos/` and fails when this policy lacks one), scoped to this stack's cluster, services,
 * tasks and tagged instances. "*" only where IAM has no resource-level permission for the action:
 * autoscaling:DescribeAutoScalingGroups, ssm:CancelCommand, ssm:GetCommandInvocation and sts:GetCallerIdentity.
 */
export function chaosOperatorStatements(props: ChaosOperatorProps): PolicyStatement[] {
  // arn:<partition>:ecs:<region>:<account>:cluster/<name> → the same account without a data source, so the plan stays offline.
  const account = Fn.element(Fn.split(':', props.clusterArn), 4);
  const ecsArn = (resource: string) => `arn:${props.partition}:ecs:${props.region}:${account}:${resource}`;
  const instances = `arn:${props.partition}:ec2:${props.region}:${account}:instance/*`;
  const tagged = [{ test: 'StringEquals', variable: `aws:ResourceTag/${props.instanceTag.key}`, values: [props.instanceTag.value] }];
  const inCluster = [{ test: 'ArnEquals', variable: 'ecs:cluster', values: [props.clusterArn] }];
  return [
    { sid: 'ListInCluster', actions: ['ecs:ListContainerInstances'], resources: [props.clusterArn] },
    // ListTasks is authorized on the container instances of the cluster it lists.
    {
      sid: 'ListTasks',
      actions: ['ecs:ListTasks'],
      resources: [ecsArn(`container-instance/${props.clusterName}/*`)],
      conditions: inCluster,
    },
    { sid: 'Services', actions: ['ecs:DescribeServices', 'ecs:UpdateService'], resources: [...props.serviceArns] },
    // The cluster's name in the ARN already pins these to this cluster.
    { sid: 'Tasks', actions: ['ecs:DescribeTasks', 'ecs:StopTask'], resources: [ecsArn(`task/${props.clusterName}/*`)] },
    {
      sid: 'ContainerInstances',
      actions: ['ecs:DescribeContainerInstances', 'ecs:UpdateContainerInstancesState'],
      resources: [ecsArn(`container-instance/${props.clusterName}/*`)],
    },
    { sid: 'OwnInstances', actions: ['ec2:RebootInstances', 'ec2:TerminateInstances'], resources: [instances], conditions: tagged },
    // No resource-level permissions: IAM accepts only "*".
    { sid: 'DescribeGroups', actions: ['autoscaling:DescribeAutoScalingGroups'], resources: ['*'] },
    // SendCommand is authorized on the document and on each instance: the shell document, the tagged instances.
    {
      sid: 'ShellDocument',
      actions: ['ssm:SendCommand'],
      resources: [`arn:${props.partition}:ssm:${props.region}::document/${SSM_SHELL_DOCUMENT}`],
    },
    { sid: 'ShellOnOwnInstances', actions: ['ssm:SendCommand'], resources: [instances], conditions: tagged },
    // No resource-level permissions: IAM accepts only "*" (a command id is not an ARN).
    { sid: 'CommandResults', actions: ['ssm:CancelCommand', 'ssm:GetCommandInvocation'], resources: ['*'] },
    {
      sid: 'StopConditions',
      actions: ['cloudwatch:DescribeAlarms'],
      resources: [`arn:${props.partition}:cloudwatch:${props.region}:${account}:alarm:*`],
    },
    // No resource-level permissions: the caller asks who it is.
    { sid: 'AccountGuard', actions: ['sts:GetCallerIdentity'], resources: ['*'] },
  ];
}

/**
 * A managed policy for whoever runs the chaos experiments against this stack: attach it to a user,
 * group or role (the stack emits its ARN as `chaosOperatorPolicyArn`); it grants nothing else. With
 * `chaosOperatorTrustedArns` in the config, also a role carrying it that those principals may assume.
 */
export class ChaosOperator extends Construct {
  readonly policy: IamPolicy;
  /** The role the trusted principals assume, when the config names any. */
  readonly role: IamRole | undefined;

  constructor(scope: Construct, id: string, props: ChaosOperatorProps) {
    super(scope, id);
    this.policy = new IamPolicy(this, 'policy', {
      name: `${props.namePrefix}-chaos-operator`,
      description: `Runs the chaos experiments against ${props.namePrefix}: only the calls the chaos drivers make, on this stack's resources`,
      policy: policyDocument(this, 'document', chaosOperatorStatements(props)),
    });
    const trusted = props.trustedArns ?? [];
    if (trusted.length === 0) return;
    this.role = new IamRole(this, 'role', {
      name: `${props.namePrefix}-chaos-operator`,
      description: `Assumed to run the chaos experiments against ${props.namePrefix}`,
      assumeRolePolicy: assumeRoleByPrincipals(this, 'trust', trusted),
    });
    new IamRolePolicyAttachment(this, 'attachment', { role: this.role.name, policyArn: this.policy.arn });
  }
}
