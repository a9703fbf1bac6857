import { Construct } from 'constructs';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';

export interface DnsProps {
  readonly hostedZoneId: string;
  readonly domain: string;
  /** The one instance's Elastic IP: an A record of it. Exactly one of publicIp and loadBalancer. */
  readonly publicIp?: string;
  /** The fleet's network load balancer: an A alias of it. Exactly one of publicIp and loadBalancer. */
  readonly loadBalancer?: { readonly dnsName: string; readonly zoneId: string };
}

/**
 * An A record pointing the platform's domain at the Elastic IP, or (a fleet) an alias of the load
 * balancer (only when a hosted zone is given). An alias follows the balancer's own addresses, which
 * AWS may change, and costs no Route 53 queries.
 */
export class Dns extends Construct {
  readonly record: Route53Record;

  constructor(scope: Construct, id: string, props: DnsProps) {
    super(scope, id);
    const both = 'Dns: give exactly one of publicIp (one instance) and loadBalancer (a fleet)';
    if (props.loadBalancer !== undefined) {
      if (props.publicIp !== undefined) throw new Error(both);
      this.record = new Route53Record(this, 'record', {
        zoneId: props.hostedZoneId,
        name: props.domain,
        type: 'A',
        // The balancer's nodes are health-checked by it: with none healthy, Route 53 knows.
        alias: { name: props.loadBalancer.dnsName, zoneId: props.loadBalancer.zoneId, evaluateTargetHealth: true },
      });
      return;
    }
    if (props.publicIp === undefined) throw new Error(both);
    this.record = new Route53Record(this, 'record', {
      zoneId: props.hostedZoneId,
      name: props.domain,
      type: 'A',
      // Short TTL: the address is stable, but a rebuilt stack should be reachable again quickly.
      ttl: 300,
      records: [props.publicIp],
    });
  }
}
