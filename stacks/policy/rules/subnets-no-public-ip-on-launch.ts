import { isTrue } from '../json';
import { defineRule, finding, resources } from '../rule';

/** A public address should be a decision (the launch template asks for one), never a subnet default. */
export const subnetsNoPublicIpOnLaunch = defineRule({
  id: 'subnets-no-public-ip-on-launch',
  title: 'Subnets do not give public addresses by default',
  severity: 'error',
  checkov: ['CKV_AWS_130'],
  trivy: ['AVD-AWS-0164'],
  description:
    'No aws_subnet sets map_public_ip_on_launch = true: anything else launched there (an EFS mount target, a debugging instance) would get a public address by accident.',
  remedy: 'set mapPublicIpOnLaunch: false on the subnet and ask for a public address where one is meant (stacks/network.ts)',
  subjects: resources('aws_subnet'),
  check(subject) {
    return isTrue(subject.attributes.map_public_ip_on_launch) ? [finding(subject, 'map_public_ip_on_launch is true')] : [];
  },
});
