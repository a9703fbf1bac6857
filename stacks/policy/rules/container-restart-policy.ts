import { defineRule, finding, containers } from '../rule';

/** DESIGN.md: the restart policy is the recovery path a `docker stop` on the host takes. */
export const containerRestartPolicy = defineRule({
  id: 'container-restart-policy',
  title: 'Every container has the ECS restart policy on',
  severity: 'warning',
  checkov: [],
  trivy: [],
  description:
    'Every container spec enables restartPolicy, so ECS restarts an exited container inside its task without waiting 10-30 s for the service scheduler.',
  remedy: 'set restartPolicy: { enabled: true, attemptPeriodSeconds: 60 } in the container spec (stacks/platform-stack.ts)',
  subjects: containers,
  check(subject) {
    return subject.spec.restartPolicy?.enabled === true
      ? []
      : [finding(subject, 'restartPolicy is not enabled: only the scheduler replaces an exited container')];
  },
});
