import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Route } from '@cdktf/provider-aws/lib/route';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { subnetCidr } from '../../stacks/network';
import { resourcesOf, synthPlatform } from './support';

describe('Network', () => {
  // GIVEN an environment with its own CIDR and zones, WHEN synthesized
  const { json, tf } = synthPlatform({ vpcCidr: '10.7.0.0/16', availabilityZones: ['eu-west-1b', 'eu-west-1c'] });

  it('creates a VPC with DNS support (EFS mount targets are found by name)', () => {
    expect(json).toHaveResourceWithProperties(Vpc, { cidr_block: '10.7.0.0/16', enable_dns_support: true, enable_dns_hostnames: true });
  });

  it('creates one public subnet per zone, without automatic public addresses', () => {
    expect(json).toHaveResourceWithProperties(Subnet, {
      availability_zone: 'eu-west-1b',
      cidr_block: '10.7.0.0/20',
      map_public_ip_on_launch: false,
    });
    expect(json).toHaveResourceWithProperties(Subnet, {
      availability_zone: 'eu-west-1c',
      cidr_block: '10.7.16.0/20',
      map_public_ip_on_launch: false,
    });
    expect(resourcesOf(tf, 'aws_subnet')).toHaveLength(2);
    expect(resourcesOf(tf, 'aws_route_table_association')).toHaveLength(2);
    expect(json).toHaveResource(RouteTableAssociation);
  });

  it('routes to the internet through a gateway', () => {
    expect(json).toHaveResource(InternetGateway);
    expect(json).toHaveResourceWithProperties(Route, { destination_cidr_block: '0.0.0.0/0' });
  });

  it('locks the default security group down (no rules)', () => {
    expect(json).toHaveResource(DefaultSecurityGroup);
    const [sg] = resourcesOf(tf, 'aws_default_security_group');
    expect(sg.ingress).toBeUndefined();
    expect(sg.egress).toBeUndefined();
  });
});

describe('subnetCidr', () => {
  it.each([
    ['10.0.0.0/16', 0, '10.0.0.0/20'],
    ['10.0.0.0/16', 1, '10.0.16.0/20'],
    ['192.168.4.0/24', 1, '192.168.4.16/28'],
    ['172.16.0.0/20', 1, '172.16.1.0/24'],
  ])('splits %s, block %i, into %s', (cidr, index, expected) => expect(subnetCidr(cidr, index)).toBe(expected));
  it('refuses a malformed block', () => expect(() => subnetCidr('nope', 0)).toThrow(/"nope" is not an IPv4 CIDR block/));
});
