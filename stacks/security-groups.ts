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
  /**
   * A network load balancer in front of the instances (instanceCount > 1): it gets its own group,
   * and the instances take HTTP and HTTPS from that group only.
   * @default false (the one instance serves the internet itself)
   */
  readonly loadBalancer?: boolean;
}

const NFS_PORT = 2049;

/**
 * The instance's group (HTTP and HTTPS from anywhere, or from the load balancer's group when there is one; SSH
 * only from the configured blocks; egress to
 * HTTPS and to the certificate file system) and the file system's group (NFS from the instance only).
 * Rules are separate resources so that a plan review shows each one added or removed on its own.
 */
export class SecurityGroups extends Construct {
  readonly instance: SecurityGroup;
  readonly fileSystem: SecurityGroup;
  /** The network load balancer's group; undefined without a balancer. */
  readonly loadBalancer: SecurityGroup | undefined;

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
    this.loadBalancer = props.loadBalancer ? this.balancerGroup(props.namePrefix, props.vpcId) : undefined;
    if (this.loadBalancer === undefined) {
      ingress('http-in', SERVICES.proxy.port, '0.0.0.0/0', 'HTTP to the proxy: ACME HTTP-01 challenges and the redirect to HTTPS');
      ingress('https-in', PROXY_HTTPS_PORT, '0.0.0.0/0', 'HTTPS to the proxy');
    } else {
      // The balancer keeps the client's address (instance targets preserve it), and a target's
      // group that references the balancer's group still admits that traffic: so the instances
      // take 80/443 from the balancer only, not from the world, and the proxy still sees (and
      // rate-limits by) the client's address. The balancer's health checks come from it too.
      const balancer = this.loadBalancer;
      const fromBalancer = (rid: string, port: number, description: string) =>
        new VpcSecurityGroupIngressRule(this, rid, {
          securityGroupId: this.instance.id,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          referencedSecurityGroupId: balancer.id,
          description,
        });
      fromBalancer('http-in', SERVICES.proxy.port, 'HTTP to the proxy from the load balancer: clients, ACME challenges, health checks');
      fromBalancer('https-in', PROXY_HTTPS_PORT, 'HTTPS to the proxy from the load balancer');
    }
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

  /**
   * The balancer's group: HTTP and HTTPS from anywhere (it is the platform's public face), and out
   * only to the instances' proxy ports (forwarded traffic and the health check on port 80). A group
   * can only be given to a network load balancer when it is created, so it is there from the start.
   */
  private balancerGroup(namePrefix: string, vpcId: string): SecurityGroup {
    const group = new SecurityGroup(this, 'load-balancer', {
      name: `${namePrefix}-load-balancer`,
      description: 'Network load balancer: public HTTP(S) in, to the instances only',
      vpcId,
      tags: { Name: `${namePrefix}-load-balancer` },
    });
    for (const [rid, port, what] of [
      ['balancer-http-in', SERVICES.proxy.port, 'HTTP'],
      ['balancer-https-in', PROXY_HTTPS_PORT, 'HTTPS'],
    ] as const) {
      new VpcSecurityGroupIngressRule(this, rid, {
        securityGroupId: group.id,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrIpv4: '0.0.0.0/0',
        description: `${what} from clients to the load balancer`,
      });
    }
    for (const [rid, port, what] of [
      ['balancer-http-out', SERVICES.proxy.port, 'HTTP (and the health check)'],
      ['balancer-https-out', PROXY_HTTPS_PORT, 'HTTPS'],
    ] as const) {
      new VpcSecurityGroupEgressRule(this, rid, {
        securityGroupId: group.id,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: this.instance.id,
        description: `${what} to the instances' proxies`,
      });
    }
    return group;
  }
}
