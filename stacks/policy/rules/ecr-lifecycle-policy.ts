import { asString, referencedAddress } from '../json';
import { defineRule, elementsOfType, finding, wholeStack } from '../rule';

/** Every push leaves an image behind; without expiry a repository grows (and costs) forever. */
export const ecrLifecyclePolicy = defineRule({
  id: 'ecr-lifecycle-policy',
  title: 'ECR repositories expire old images',
  severity: 'warning',
  checkov: [],
  trivy: [],
  description: 'Every aws_ecr_repository has an aws_ecr_lifecycle_policy (by reference to the repository, or by its name).',
  remedy: 'add an EcrLifecyclePolicy for the repository (stacks/registry.ts keeps the last ecrKeepTaggedImages tagged images)',
  subjects: wholeStack,
  check(stack) {
    const covered = new Set(
      elementsOfType(stack, 'aws_ecr_lifecycle_policy').flatMap((p) => [
        referencedAddress(p.attributes.repository),
        asString(p.attributes.repository),
      ]),
    );
    return elementsOfType(stack, 'aws_ecr_repository')
      .filter((repo) => !covered.has(repo.address) && !covered.has(asString(repo.attributes.name)))
      .map((repo) => finding(repo, 'no aws_ecr_lifecycle_policy for this repository'));
  },
});
