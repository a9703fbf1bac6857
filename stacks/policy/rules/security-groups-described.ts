import type { JsonObject } from '../../../contract/json';
import { asNumber, asString, blocks } from '../json';
import { defineRule, finding, resources } from '../rule';

/** The provider's default for a group's description: says nothing. */
const PROVIDER_DEFAULT = 'Managed by Terraform';

const described = (b: JsonObject) => {
  const text = asString(b.description)?.trim() ?? '';
  return text !== '' && text !== PROVIDER_DEFAULT;
};

/** The plan review shows each rule on its own: its description is what tells a reviewer why it exists. */
export const securityGroupsDescribed = defineRule({
  id: 'security-groups-described',
  title: 'Every security group and rule has a description',
  severity: 'error',
  checkov: ['CKV_AWS_23'],
  trivy: ['AVD-AWS-0099', 'AVD-AWS-0124'],
  description:
    'Every aws_security_group (and its inline rules), aws_security_group_rule and aws_vpc_security_group_{ingress,egress}_rule has a description other than the provider default.',
  remedy: 'say what the group or rule lets through and why, in its description (stacks/security-groups.ts)',
  subjects: resources(
    'aws_security_group',
    'aws_security_group_rule',
    'aws_vpc_security_group_ingress_rule',
    'aws_vpc_security_group_egress_rule',
  ),
  check(subject) {
    const a = subject.attributes;
    const own = described(a) ? [] : [finding(subject, 'no description')];
    if (subject.type !== 'aws_security_group') return own;
    const inline = [...blocks(a.ingress), ...blocks(a.egress)].filter((r) => !described(r));
    return [
      ...own,
      ...inline.map((r) =>
        finding(subject, `an inline rule for ports ${asNumber(r.from_port) ?? '?'}-${asNumber(r.to_port) ?? '?'} has no description`),
      ),
    ];
  },
});
