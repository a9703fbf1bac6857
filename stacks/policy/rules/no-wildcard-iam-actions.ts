import { defineRule, elements, finding } from '../rule';
import { POLICY_DOCUMENTS, statementName, statementsOf } from '../iam-statements';

/** "*" or "service:*" grants every action there is, including ones added to AWS after review. */
const WILDCARD = /^([a-z0-9-]+:)?\*$/i;

export const noWildcardIamActions = defineRule({
  id: 'no-wildcard-iam-actions',
  title: 'IAM policies name their actions',
  severity: 'error',
  checkov: ['CKV_AWS_1', 'CKV_AWS_49', 'CKV_AWS_62', 'CKV_AWS_63'],
  trivy: ['AVD-AWS-0057'],
  description:
    'No Allow statement of an IAM policy document (aws_iam_policy_document data sources, literal JSON policies) grants "*" or "<service>:*", or uses NotAction.',
  remedy: 'list the actions the role needs in the statement (stacks/task-roles.ts, stacks/instance-role.ts)',
  subjects: elements(POLICY_DOCUMENTS),
  check(subject) {
    return statementsOf(subject).flatMap((s, i) => {
      if (s.effect !== 'Allow') return [];
      const wild = s.actions.filter((a) => WILDCARD.test(a));
      const found = wild.map((a) => finding(subject, `${statementName(s, i)} allows action "${a}"`));
      if (s.notActions.length > 0)
        found.push(finding(subject, `${statementName(s, i)} allows everything but ${s.notActions.join(', ')} (NotAction)`));
      return found;
    });
  },
});
