import { Construct } from 'constructs';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';

export interface DnsProps {
  readonly hostedZoneId: string;
  readonly domain: string;
  readonly publicIp: string;
}

/** An A record pointing the platform's domain at the Elastic IP (only when a hosted zone is given). */
export class Dns extends Construct {
  readonly record: Route53Record;

  constructor(scope: Construct, id: string, props: DnsProps) {
    super(scope, id);
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
