import { defineRule, elements, finding } from '../rule';
import { POLICY_DOCUMENTS, statementName, statementsOf } from '../iam-statements';

/** A trust or resource policy granting to "*" lets any AWS account in (assume the role, use the resource). */
export const iamTrustNamesPrincipals = defineRule({
  id: 'iam-trust-names-principals',
  title: 'Policies with principals name them',
  severity: 'error',
  checkov: ['CKV_AWS_60'],
  trivy: [],
  description:
    'No Allow statement with principals (a role\'s trust policy, a resource policy) grants to "*" without a condition; trust policies here name one AWS service each.',
  remedy: 'name the service or account that may assume the role (assumeRolePolicy in stacks/iam.ts), or add a condition that narrows "*"',
  subjects: elements(POLICY_DOCUMENTS),
  check(subject) {
    return statementsOf(subject)
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => s.effect === 'Allow' && !s.conditional && s.principals.includes('*'))
      .map(({ s, i }) => finding(subject, `${statementName(s, i)} grants ${s.actions.join(', ') || 'its actions'} to any principal ("*")`));
  },
});
