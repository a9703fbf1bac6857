import { defineRule, finding, containers } from '../rule';

const ROOT = /^(root|0)(:.*)?$/;

/** Host networking shares the instance's network namespace: a root process there can do far more. */
export const nonRootUser = defineRule({
  id: 'non-root-user',
  title: 'Containers run as a non-root user',
  severity: 'error',
  checkov: [],
  trivy: [],
  description:
    'Every container spec sets "user" to a non-root uid (e.g. "65532:65532"). Left unset, the image\'s USER decides, which the stack cannot see.',
  remedy: 'set user to a non-root uid:gid in the container spec (stacks/platform-stack.ts), matching what the image needs',
  subjects: containers,
  check(subject) {
    const user = subject.spec.user;
    if (user === undefined) return [finding(subject, 'user is not set: the image decides, and runs as root unless it says otherwise')];
    return ROOT.test(user) ? [finding(subject, `user is "${user}" (root)`)] : [];
  },
});
