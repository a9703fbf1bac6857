import { asNumber, asString, at, blocks, referencedAddress } from '../json';
import { defineRule, elementAt, elementsOfType, finding, wholeStack } from '../rule';

/**
 * Project rule. Managed termination protection keeps an instance from scale-in while tasks run; a
 * group of exactly one is never scaled in, so `cdktf destroy` waits forever for the group to empty.
 */
export const capacityProviderTerminationProtectionOff = defineRule({
  id: 'capacity-provider-termination-protection-off',
  title: "A single-instance group's capacity provider has termination protection off",
  severity: 'error',
  checkov: [],
  trivy: [],
  description:
    'An aws_ecs_capacity_provider whose Auto Scaling group holds at most one instance (max_size <= 1) sets managed_termination_protection = "DISABLED": with it on, destroy hangs.',
  remedy: 'set managedTerminationProtection: "DISABLED" on the capacity provider (stacks/cluster.ts)',
  subjects: wholeStack,
  check(stack) {
    return elementsOfType(stack, 'aws_ecs_capacity_provider').flatMap((provider) => {
      const settings = blocks(provider.attributes.auto_scaling_group_provider)[0];
      const group = elementAt(stack, referencedAddress(at(settings, 'auto_scaling_group_arn')));
      const maxSize = asNumber(group?.attributes.max_size);
      const protection = asString(at(settings, 'managed_termination_protection')) ?? 'DISABLED';
      if (maxSize === undefined || maxSize > 1 || protection === 'DISABLED') return [];
      return [
        finding(
          provider,
          `managed_termination_protection is ${protection} for ${group?.address} (max_size ${maxSize}): destroy would hang`,
        ),
      ];
    });
  },
});
