import type { JsonObject } from '../../contract/json';
import { asNumber, asString, blocks, strings } from './json';
import { ResourceSubject } from './subject';

/** The three ways Terraform expresses an ingress rule: inline, legacy rule resource, VPC rule resource. */
export const INGRESS_TYPES = ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule'] as const;

/** One ingress permission, whichever resource type declared it. */
export interface IngressPermission {
  /** "tcp", "udp", "icmp", or "-1" for every protocol. */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  /** Literal CIDR sources (IPv4 and IPv6); sources given as groups or prefix lists are not listed. */
  readonly cidrs: readonly string[];
}

function permission(block: JsonObject, protocolKey: string, cidrKeys: readonly string[]): IngressPermission {
  return {
    protocol: (asString(block[protocolKey]) ?? '-1').toLowerCase(),
    fromPort: asNumber(block.from_port),
    toPort: asNumber(block.to_port),
    cidrs: cidrKeys.flatMap((key) => strings(block[key])),
  };
}

/** The ingress permissions a security-group resource declares (none for other types). */
export function ingressPermissions(subject: ResourceSubject): readonly IngressPermission[] {
  const a = subject.attributes;
  switch (subject.type) {
    case 'aws_vpc_security_group_ingress_rule':
      return [permission(a, 'ip_protocol', ['cidr_ipv4', 'cidr_ipv6'])];
    case 'aws_security_group_rule':
      return asString(a.type) === 'ingress' ? [permission(a, 'protocol', ['cidr_blocks', 'ipv6_cidr_blocks'])] : [];
    case 'aws_security_group':
      return blocks(a.ingress).map((b) => permission(b, 'protocol', ['cidr_blocks', 'ipv6_cidr_blocks']));
    default:
      return [];
  }
}

/** True for "-1"/"all": every protocol and every port. */
export function allTraffic(p: IngressPermission): boolean {
  return p.protocol === '-1' || p.protocol === 'all';
}

/** True when the permission lets TCP reach `port`. */
export function coversTcpPort(p: IngressPermission, port: number): boolean {
  if (allTraffic(p)) return true;
  if (p.protocol !== 'tcp' && p.protocol !== '6') return false;
  return (p.fromPort ?? 0) <= port && port <= (p.toPort ?? 65535);
}

/** Every address there is. */
export function isWorld(cidr: string): boolean {
  return cidr === '0.0.0.0/0' || cidr === '::/0';
}

/** "tcp 80", "tcp 22-443", "every port". */
export function describePorts(p: IngressPermission): string {
  if (allTraffic(p)) return 'every port';
  const range = p.fromPort === p.toPort ? `${p.fromPort ?? '?'}` : `${p.fromPort ?? '?'}-${p.toPort ?? '?'}`;
  return `${p.protocol} ${range}`;
}
