import { Construct } from 'constructs';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { PROXY_HTTPS_PORT, PROXY_READINESS_PATH, SERVICES } from '../contract/services';

export interface LoadBalancerProps {
  /** Prefix for resource names, e.g. "platform-dev" (at most 29 characters: the balancer's name is it). */
  readonly namePrefix: string;
  readonly vpcId: string;
  /** The public subnets, one per zone: the balancer has a node in each. */
  readonly subnetIds: readonly string[];
  /** The balancer's own security group (stacks/security-groups.ts). */
  readonly securityGroupId: string;
}

/** Seconds between health checks, and how many in a row decide: an instance is out of traffic 20-30 s after its proxy stops answering. */
export const HEALTH_CHECK = { intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2 } as const;

/** Seconds a deregistering instance keeps its open connections (the proxy's own graceful stop is 15 s). */
export const DEREGISTRATION_DELAY_SECONDS = 30;

/**
 * The fleet's public face (instanceCount > 1): an internet-facing network load balancer in both
 * public subnets, cross-zone on (an instance in either zone takes a share of every client), with
 * TCP listeners on 80 and 443 passed through to the instances' proxies, so that nginx still
 * terminates TLS with its own ACME certificate and sees the client's address.
 *
 * Both target groups check the same thing, over HTTP on port 80: the proxy's readiness path, which
 * nginx answers by asking an API copy and a frontend copy on the same instance (docker/proxy/templates).
 * An instance whose proxy is gone, or whose proxy reaches no API copy or no frontend copy, leaves both
 * groups; one copy lost is covered by the instance's other copy. The path is served on port 80 in every proxy mode (with a
 * certificate, plain HTTP redirects everything else to HTTPS), so a 301 never passes for healthy.
 */
export class LoadBalancer extends Construct {
  readonly balancer: Lb;
  /** The target groups, port 80 first: the Auto Scaling group registers its instances with each. */
  readonly targetGroups: readonly LbTargetGroup[];
  readonly listeners: readonly LbListener[];

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    if (props.namePrefix.length > 32) throw new Error(`LoadBalancer: namePrefix "${props.namePrefix}" is longer than 32 characters`);
    if (props.subnetIds.length < 2) throw new Error('LoadBalancer: subnetIds must name the two public subnets (one per zone)');
    this.balancer = new Lb(this, 'balancer', {
      name: props.namePrefix,
      loadBalancerType: 'network',
      internal: false,
      ipAddressType: 'ipv4',
      subnets: [...props.subnetIds],
      securityGroups: [props.securityGroupId],
      enableCrossZoneLoadBalancing: true,
      tags: { Name: props.namePrefix },
    });
    const ports = [
      { rid: 'http', port: SERVICES.proxy.port },
      { rid: 'https', port: PROXY_HTTPS_PORT },
    ];
    this.targetGroups = ports.map(
      ({ rid, port }) =>
        // No name: Terraform makes a unique one, so a change that replaces the group can create the
        // new one before it destroys the old (a group's name is at most 32 characters anyway).
        new LbTargetGroup(this, `${rid}-targets`, {
          port,
          protocol: 'TCP',
          targetType: 'instance',
          vpcId: props.vpcId,
          deregistrationDelay: String(DEREGISTRATION_DELAY_SECONDS),
          healthCheck: {
            enabled: true,
            protocol: 'HTTP',
            port: String(SERVICES.proxy.port),
            path: PROXY_READINESS_PATH,
            matcher: '200',
            interval: HEALTH_CHECK.intervalSeconds,
            timeout: HEALTH_CHECK.timeoutSeconds,
            healthyThreshold: HEALTH_CHECK.healthyThreshold,
            unhealthyThreshold: HEALTH_CHECK.unhealthyThreshold,
          },
          tags: { Name: `${props.namePrefix}-${port}` },
        }),
    );
    this.listeners = ports.map(
      ({ rid, port }, i) =>
        new LbListener(this, `${rid}-listener`, {
          loadBalancerArn: this.balancer.arn,
          port,
          protocol: 'TCP',
          defaultAction: [{ type: 'forward', targetGroupArn: this.targetGroups[i]?.arn }],
        }),
    );
  }
}
