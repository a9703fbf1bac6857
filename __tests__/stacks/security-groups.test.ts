import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { resourcesOf, synthPlatform } from './support';

describe('SecurityGroups', () => {
  it('opens 80 and 443 to everyone and has no SSH rule by default', () => {
    const { json, tf } = synthPlatform();
    expect(json).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, { from_port: 80, to_port: 80, cidr_ipv4: '0.0.0.0/0' });
    expect(json).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, { from_port: 443, to_port: 443, cidr_ipv4: '0.0.0.0/0' });
    expect(resourcesOf(tf, 'aws_vpc_security_group_ingress_rule').filter((r) => r.from_port === 22)).toHaveLength(0);
  });

  it('allows SSH only from the configured blocks, one described rule each', () => {
    const { tf } = synthPlatform({ sshCidrs: ['203.0.113.7/32', '198.51.100.0/24'] });
    const ssh = resourcesOf(tf, 'aws_vpc_security_group_ingress_rule').filter((r) => r.from_port === 22);
    expect(ssh.map((r) => r.cidr_ipv4)).toEqual(['203.0.113.7/32', '198.51.100.0/24']);
    expect(ssh.every((r) => String(r.description).includes(String(r.cidr_ipv4)))).toBe(true);
  });

  it('lets NFS reach the certificate file system only from the instance group', () => {
    const { json, tf } = synthPlatform();
    const nfsIn = resourcesOf(tf, 'aws_vpc_security_group_ingress_rule').filter((r) => r.from_port === 2049);
    expect(nfsIn).toHaveLength(1);
    expect(nfsIn[0].cidr_ipv4).toBeUndefined();
    expect(String(nfsIn[0].referenced_security_group_id)).toMatch(/aws_security_group\.security-groups_instance/);
    expect(json).toHaveResourceWithProperties(VpcSecurityGroupEgressRule, { from_port: 2049, to_port: 2049 });
  });

  it('limits egress to HTTPS and NFS', () => {
    const { tf } = synthPlatform();
    const egress = resourcesOf(tf, 'aws_vpc_security_group_egress_rule').map((r) => r.from_port);
    expect(egress.sort()).toEqual([2049, 443]);
  });

  it('describes every rule', () => {
    const { tf } = synthPlatform({ sshCidrs: ['203.0.113.7/32'] });
    const rules = [...resourcesOf(tf, 'aws_vpc_security_group_ingress_rule'), ...resourcesOf(tf, 'aws_vpc_security_group_egress_rule')];
    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const rule of rules) expect(String(rule.description ?? '')).toMatch(/\w{3,}/);
  });
});
