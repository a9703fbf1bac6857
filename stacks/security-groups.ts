import { Construct } from 'constructs';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { PROXY_HTTPS_PORT, SERVICES } from '../contract/services';

export interface SecurityGroupsProps {
  readonly namePrefix: string;
  readonly vpcId: string;
  /**
   * Sources allowed to reach SSH on the instance.
   * @default [] (no port 22 rule at all; use SSM Session Manager)
   */
  readonly sshCidrs: readonly string[];
}

const NFS_PORT = 2049;

/**
 * The instance's group (HTTP and HTTPS from anywhere, SSH only from the configured blocks, egress to
 * HTTPS and to the certificate file system) and the file system's group (NFS from the instance only).
 * Rules are separate resources so that a plan review shows each one added or removed on its own.
 */
export class SecurityGroups extends Construct {
  readonly instance: SecurityGroup;
  readonly fileSystem: SecurityGroup;

  constructor(scope: Construct, id: string, props: SecurityGroupsProps) {
    super(scope, id);
    this.instance = new SecurityGroup(this, 'instance', {
      name: `${props.namePrefix}-instance`,
      description: 'ECS container instance: public HTTP(S), optional SSH',
      vpcId: props.vpcId,
      tags: { Name: `${props.namePrefix}-instance` },
    });
    this.fileSystem = new SecurityGroup(this, 'file-system', {
      name: `${props.namePrefix}-certificates`,
      description: 'Certificate file system: NFS from the instance only',
      vpcId: props.vpcId,
      tags: { Name: `${props.namePrefix}-certificates` },
    });

    const ingress = (rid: string, port: number, cidr: string, description: string) =>
      new VpcSecurityGroupIngressRule(this, rid, {
        securityGroupId: this.instance.id,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIpv4: cidr,
        description,
      });
    ingress('http-in', SERVICES.proxy.port, '0.0.0.0/0', 'HTTP to the proxy: ACME HTTP-01 challenges and the redirect to HTTPS');
    ingress('https-in', PROXY_HTTPS_PORT, '0.0.0.0/0', 'HTTPS to the proxy');
    props.sshCidrs.forEach((cidr, i) => ingress(`ssh-in-${i}`, 22, cidr, `SSH for operators and chaos experiments from ${cidr}`));

    new VpcSecurityGroupEgressRule(this, 'https-out', {
      securityGroupId: this.instance.id,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: '0.0.0.0/0',
      description: 'HTTPS out: ECR, ECS, CloudWatch Logs, SSM, EC2 API (Elastic IP) and the ACME server',
    });
    new VpcSecurityGroupEgressRule(this, 'nfs-out', {
      securityGroupId: this.instance.id,
      ipProtocol: 'tcp',
      fromPort: NFS_PORT,
      toPort: NFS_PORT,
      referencedSecurityGroupId: this.fileSystem.id,
      description: 'NFS to the certificate file system',
    });
    new VpcSecurityGroupIngressRule(this, 'nfs-in', {
      securityGroupId: this.fileSystem.id,
      ipProtocol: 'tcp',
      fromPort: NFS_PORT,
      toPort: NFS_PORT,
      referencedSecurityGroupId: this.instance.id,
      description: 'NFS from the ECS container instance',
    });
  }
}
