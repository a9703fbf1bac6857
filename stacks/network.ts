import { Construct } from 'constructs';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { parseCidr } from './config';

export interface NetworkProps {
  /** Prefix for resource names, e.g. "platform-dev". */
  readonly namePrefix: string;
  /** The VPC's IPv4 block (validated by the config: /16 to /24). */
  readonly vpcCidr: string;
  /** The two availability zones, one public subnet each. */
  readonly availabilityZones: readonly [string, string];
}

/** The i-th block of `prefix + 4` bits inside `cidr`, capped at /28 (the smallest subnet AWS allows). */
export function subnetCidr(cidr: string, index: number): string {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`subnetCidr: "${cidr}" is not an IPv4 CIDR block`);
  const prefix = Math.min(parsed.prefix + 4, 28);
  const base = parsed.base + index * 2 ** (32 - prefix);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}

/**
 * A VPC with two public subnets in two zones and a route to the internet. Public subnets because the
 * one instance needs an address on the internet anyway (it serves traffic through its Elastic IP) and
 * a NAT gateway would cost more than the instance.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly subnets: readonly Subnet[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      // EFS mount targets are reached by DNS name from the instance.
      enableDnsHostnames: true,
      tags: { Name: props.namePrefix },
    });
    // Lock the VPC's default security group down: nothing should ever use it.
    new DefaultSecurityGroup(this, 'default-sg', { vpcId: this.vpc.id, tags: { Name: `${props.namePrefix}-default-unused` } });

    const igw = new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: { Name: props.namePrefix } });
    const routes = new RouteTable(this, 'public-routes', { vpcId: this.vpc.id, tags: { Name: `${props.namePrefix}-public` } });
    new Route(this, 'default-route', { routeTableId: routes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });

    this.subnets = props.availabilityZones.map((az, i) => {
      const subnet = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: subnetCidr(props.vpcCidr, i),
        // The launch template asks for a public address explicitly; nothing else gets one by accident.
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.namePrefix}-public-${az}` },
      });
      new RouteTableAssociation(this, `public-${i}-routes`, { subnetId: subnet.id, routeTableId: routes.id });
      return subnet;
    });
  }
}
