import { defineRule, elements, finding } from '../rule';
import { POLICY_DOCUMENTS, statementName, statementsOf } from '../iam-statements';

/**
 * Actions that have no resource-level permissions: IAM accepts only "*" for them. Add one only with
 * the service authorization reference showing an empty "Resource types" column.
 */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS: readonly string[] = [
  'ecr:GetAuthorizationToken',
  'sts:GetCallerIdentity',
  'cloudwatch:PutMetricData',
  'ecs:DiscoverPollEndpoint',
  'ssm:DescribeParameters',
  // The chaos operator's (stacks/chaos-operator.ts).
  'autoscaling:DescribeAutoScalingGroups',
  'ssm:CancelCommand',
  'ssm:GetCommandInvocation',
];

export const noWildcardIamResources = defineRule({
  id: 'no-wildcard-iam-resources',
  title: 'IAM policies scope restrictable actions to resources',
  severity: 'error',
  checkov: ['CKV_AWS_355', 'CKV_AWS_356'],
  trivy: ['AVD-AWS-0057'],
  description: `No Allow statement grants an action on Resource "*" when the action supports resource-level permissions. Known exceptions: ${ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.join(', ')}.`,
  remedy:
    'name the ARNs the action needs (repositories, log groups, the file system), or split the unrestrictable action into its own statement',
  subjects: elements(POLICY_DOCUMENTS),
  check(subject) {
    return statementsOf(subject).flatMap((s, i) => {
      if (s.effect !== 'Allow' || !s.resources.includes('*')) return [];
      const restrictable = s.actions.filter((a) => !ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.includes(a));
      if (restrictable.length === 0) return [];
      return [finding(subject, `${statementName(s, i)} allows ${restrictable.join(', ')} on every resource ("*")`)];
    });
  },
});
