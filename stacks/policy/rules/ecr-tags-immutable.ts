import { asString } from '../json';
import { defineRule, finding, resources } from '../rule';

/** With mutable tags, whoever can push can change what an existing tag runs. */
export const ecrTagsImmutable = defineRule({
  id: 'ecr-tags-immutable',
  title: 'ECR image tags are immutable',
  severity: 'error',
  checkov: ['CKV_AWS_51'],
  trivy: ['AVD-AWS-0031'],
  description: 'Every aws_ecr_repository sets image_tag_mutability to IMMUTABLE (the default is MUTABLE).',
  remedy:
    'set imageTagMutability: "IMMUTABLE" (stacks/registry.ts), or suppress with the reason tags must move (stacks/policy/suppressions.ts)',
  subjects: resources('aws_ecr_repository'),
  check(subject) {
    const mutability = asString(subject.attributes.image_tag_mutability) ?? 'MUTABLE';
    if (mutability.startsWith('IMMUTABLE')) return [];
    return [finding(subject, `image_tag_mutability is ${mutability}: a push can move an existing tag`)];
  },
});
