import { blocks, referencedAddress } from '../json';
import { defineRule, elementsOfType, finding, wholeStack } from '../rule';

/**
 * AWS creates every VPC with a default group that lets its members talk to each other on every port;
 * a resource launched without a group lands in it. Managing it with no rules closes it.
 */
export const defaultSecurityGroupClosed = defineRule({
  id: 'default-security-group-closed',
  title: "Each VPC's default security group is managed and has no rules",
  severity: 'error',
  checkov: ['CKV2_AWS_12'],
  trivy: ['AVD-AWS-0173'],
  description: 'Every aws_vpc has an aws_default_security_group (vpc_id referencing it) with no ingress and no egress rules.',
  remedy: 'add a DefaultSecurityGroup for the VPC with no ingress or egress (stacks/network.ts)',
  subjects: wholeStack,
  check(stack) {
    const groups = elementsOfType(stack, 'aws_default_security_group');
    const open = groups
      .filter((g) => blocks(g.attributes.ingress).length + blocks(g.attributes.egress).length > 0)
      .map((g) => finding(g, 'the default security group has rules: resources launched without a group get them'));
    const managed = new Set(groups.map((g) => referencedAddress(g.attributes.vpc_id)));
    const unmanaged = elementsOfType(stack, 'aws_vpc')
      .filter((vpc) => !managed.has(vpc.address))
      .map((vpc) => finding(vpc, 'no aws_default_security_group for this VPC: its default group allows all traffic between members'));
    return [...open, ...unmanaged];
  },
});
