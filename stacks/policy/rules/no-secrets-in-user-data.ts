import { asString, isExpression } from '../json';
import { defineRule, finding, resources } from '../rule';
import { credentialsIn } from '../secrets';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** User data is readable by anyone who can describe the instance, and by every process through IMDS. */
export const noSecretsInUserData = defineRule({
  id: 'no-secrets-in-user-data',
  title: 'No credentials in instance user data',
  severity: 'error',
  checkov: ['CKV_AWS_46'],
  trivy: ['AVD-AWS-0029', 'AVD-AWS-0129'],
  description:
    'The user data of launch templates, launch configurations and instances (literal, or base64 of a literal) holds no AWS access key id, aws_secret_access_key assignment or private key block.',
  remedy:
    'let the instance role grant what the boot script needs, or read the secret from SSM Parameter Store at boot (stacks/user-data.ts)',
  subjects: resources('aws_launch_template', 'aws_launch_configuration', 'aws_instance'),
  check(subject) {
    const text = asString(subject.attributes.user_data) ?? asString(subject.attributes.user_data_base64) ?? '';
    const decoded = !isExpression(text) && BASE64.test(text) ? Buffer.from(text, 'base64').toString('utf8') : '';
    const found = new Set([...credentialsIn(text), ...credentialsIn(decoded)]);
    return [...found].map((what) => finding(subject, `user data holds ${what}`));
  },
});
