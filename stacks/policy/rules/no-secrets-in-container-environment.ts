import { defineRule, finding, containers } from '../rule';
import { credentialShape, isSecretName } from '../secrets';

/** Environment variables show in the task definition, the console, `docker inspect` and every plan. */
export const noSecretsInContainerEnvironment = defineRule({
  id: 'no-secrets-in-container-environment',
  title: 'No secrets in container environment variables',
  severity: 'error',
  checkov: [],
  trivy: ['AVD-AWS-0036'],
  description:
    'No container spec sets a non-empty environment variable whose name announces a secret (*PASSWORD*, *SECRET*, *TOKEN*, *KEY*, *CREDENTIALS*) or whose value looks like an AWS access key id or secret key.',
  remedy:
    'keep the value in SSM Parameter Store or Secrets Manager and hand it to the container as an ECS secret (valueFrom), which the container spec would need to gain',
  subjects: containers,
  check(subject) {
    return Object.entries(subject.spec.environment ?? {}).flatMap(([name, value]) => {
      const shape = credentialShape(value);
      if (shape) return [finding(subject, `environment variable ${name} holds ${shape}`)];
      if (value !== '' && isSecretName(name)) return [finding(subject, `environment variable ${name} looks like a secret by its name`)];
      return [];
    });
  },
});
