import { defineRule, finding, containers } from '../rule';

/** A privileged container is root on the host: every device, every capability, no isolation left. */
export const noPrivilegedContainers = defineRule({
  id: 'no-privileged-containers',
  title: 'No container runs privileged',
  severity: 'error',
  checkov: ['CKV_AWS_334'],
  trivy: [],
  description:
    'The container definition rendered from each typed spec (toEcsContainerDefinition) has privileged = false or unset. The spec has no such field; this rule guards the helper.',
  remedy: 'render privileged: false in toEcsContainerDefinition (stacks/container-definition.ts)',
  subjects: containers,
  check(subject) {
    return subject.definition.privileged === true ? [finding(subject, 'privileged is true')] : [];
  },
});
