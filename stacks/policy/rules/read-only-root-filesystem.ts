import { defineRule, finding, containers } from '../rule';

/** A read-only root keeps an intruder from altering the binaries and config the container runs. */
export const readOnlyRootFilesystem = defineRule({
  id: 'read-only-root-filesystem',
  title: 'Containers have a read-only root file system',
  severity: 'error',
  checkov: ['CKV_AWS_336'],
  trivy: [],
  description: 'Every container spec sets readonlyRootFilesystem: true; what it must write goes to tmpfs mounts or volumes.',
  remedy: 'set readonlyRootFilesystem: true in the container spec and give it tmpfs mounts for what it writes (stacks/platform-stack.ts)',
  subjects: containers,
  check(subject) {
    return subject.spec.readonlyRootFilesystem === true
      ? []
      : [finding(subject, 'readonlyRootFilesystem is not true: the root file system is writable')];
  },
});
