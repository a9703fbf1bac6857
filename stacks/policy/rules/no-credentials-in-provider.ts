import { asString } from '../json';
import { defineRule, elements, finding } from '../rule';

const CREDENTIAL_ARGUMENTS = ['access_key', 'secret_key', 'token'] as const;

/** Credentials in the provider block end up in the repository and in every synthesized stack. */
export const noCredentialsInProvider = defineRule({
  id: 'no-credentials-in-provider',
  title: 'The AWS provider carries no credentials',
  severity: 'error',
  checkov: ['CKV_AWS_41'],
  trivy: [],
  description: `The aws provider block sets none of ${CREDENTIAL_ARGUMENTS.join(', ')}; credentials come from the environment (profile, SSO, CI's OIDC role).`,
  remedy: 'remove the credential from the AwsProvider (stacks/platform-stack.ts) and use AWS_PROFILE or the CI role',
  subjects: elements({ provider: ['aws'] }),
  check(subject) {
    return CREDENTIAL_ARGUMENTS.filter((key) => (asString(subject.attributes[key]) ?? '') !== '').map((key) =>
      finding(subject, `the provider sets ${key}`),
    );
  },
});
