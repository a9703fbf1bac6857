import { defineRule, finding, resources } from '../rule';
import { INGRESS_TYPES, coversTcpPort, ingressPermissions, isWorld } from '../ingress';

const SSH_PORT = 22;

/** The instance runs sshd for operators and the chaos experiments; the whole internet must not reach it. */
export const sshNotOpenToWorld = defineRule({
  id: 'ssh-not-open-to-world',
  title: 'SSH is not open to the world',
  severity: 'error',
  checkov: ['CKV_AWS_24'],
  trivy: ['AVD-AWS-0107'],
  description:
    'No ingress rule (inline, aws_security_group_rule or aws_vpc_security_group_ingress_rule) lets 0.0.0.0/0 or ::/0 reach TCP port 22.',
  remedy:
    'list the operators\' addresses in the environment\'s "sshCidrs" (e.g. "203.0.113.7/32"), or leave it empty and use SSM Session Manager',
  subjects: resources(...INGRESS_TYPES),
  check(subject) {
    return ingressPermissions(subject)
      .filter((p) => coversTcpPort(p, SSH_PORT))
      .flatMap((p) => p.cidrs.filter(isWorld))
      .map((cidr) => finding(subject, `SSH (port ${SSH_PORT}) is reachable from ${cidr}`));
  },
});
