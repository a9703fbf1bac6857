import { createHash } from 'node:crypto';
import type { JsonValue } from '../contract/json';
import { TfType } from './terraform-provider-schema';

const PLACEHOLDER_ACCOUNT = '123456789012';

function digest(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Prefixes AWS uses for ids, so a placeholder reads like the real thing in a review. */
const ID_PREFIX: Readonly<Record<string, string>> = {
  aws_vpc: 'vpc',
  aws_subnet: 'subnet',
  aws_security_group: 'sg',
  aws_default_security_group: 'sg',
  aws_internet_gateway: 'igw',
  aws_route_table: 'rtb',
  aws_route_table_association: 'rtbassoc',
  aws_eip: 'eipalloc',
  aws_launch_template: 'lt',
  aws_efs_file_system: 'fs',
  aws_efs_mount_target: 'fsmt',
  aws_efs_access_point: 'fsap',
  aws_vpc_security_group_ingress_rule: 'sgr',
  aws_vpc_security_group_egress_rule: 'sgr',
};

/** A deterministic placeholder for an attribute only AWS would know, typed as the schema says. */
export function placeholder(type: TfType | undefined, resourceType: string, address: string, path: string, region: string): JsonValue {
  const kind = Array.isArray(type) ? type[0] : type;
  switch (kind) {
    case 'number':
      // A launch template's first version is 1: the group's version reads like a real one in a review.
      return /(^|\.)(latest|default)_version$/.test(path) ? 1 : 0;
    case 'bool':
      return false;
    case 'list':
    case 'set':
      return [];
    case 'map':
      return {};
    case 'object':
    case 'tuple':
    case 'dynamic':
    case undefined:
      return null;
    case 'string': {
      const leaf = path.split('.').pop() ?? path;
      const hash = digest(`${address}/${path}`, 17);
      if (leaf === 'arn' || leaf.endsWith('_arn')) {
        const service = resourceType.replace(/^aws_/, '').split('_')[0];
        return `arn:aws:${service}:${region}:${PLACEHOLDER_ACCOUNT}:${resourceType.replace(/^aws_/, '')}/${hash}`;
      }
      if (leaf === 'id' || leaf === 'allocation_id') return `${ID_PREFIX[resourceType] ?? 'id'}-${hash}`;
      if (leaf === 'owner_id') return PLACEHOLDER_ACCOUNT;
      if (leaf.endsWith('_ip') || leaf === 'public_ip' || leaf === 'private_ip') {
        // Documentation range (RFC 5737): never a real host.
        return `198.51.100.${(parseInt(hash.slice(0, 2), 16) % 250) + 1}`;
      }
      return `placeholder-${hash}`;
    }
    default:
      return null;
  }
}
