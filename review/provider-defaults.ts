import type { JsonValue } from '../contract/json';

/**
 * Values hashicorp/aws (5.100.0) fills in for arguments the configuration leaves out, read from its
 * create plans of these stacks. `terraform providers schema -json` does not carry the provider's
 * defaults, and without them the synthetic state differs from what a deploy leaves: a missing
 * `instance_tenancy` or `scheduling_strategy` forces a replacement in the first consistency plan, and
 * everything referring to the replaced resource becomes unknown, so the state took three rounds to
 * settle. Paths are attribute paths inside the resource, blocks by name (every element of a block).
 * A default missing here costs a consistency round, not a wrong review: the rounds still prove the state.
 */
export const PROVIDER_DEFAULTS: Readonly<Record<string, Readonly<Record<string, JsonValue>>>> = {
  aws_vpc: { instance_tenancy: 'default' },
  aws_ecs_service: { scheduling_strategy: 'REPLICA', availability_zone_rebalancing: 'DISABLED' },
  aws_iam_role: { path: '/', max_session_duration: 3600 },
  aws_iam_policy: { path: '/' },
  aws_iam_instance_profile: { path: '/' },
  aws_autoscaling_group: {
    metrics_granularity: '1Minute',
    wait_for_capacity_timeout: '10m',
    'instance_refresh.preferences.max_healthy_percentage': 100,
    'instance_refresh.preferences.scale_in_protected_instances': 'Ignore',
    'instance_refresh.preferences.standby_instances': 'Ignore',
  },
  aws_ecs_task_definition: { 'volume.efs_volume_configuration.root_directory': '/' },
  // A network load balancer's (instanceCount > 1): the provider sets it when the type is "network".
  aws_lb: { dns_record_client_routing_policy: 'any_availability_zone' },
};

/** The provider's default for an attribute left out (`path` with block indexes dropped), if known. */
export function providerDefault(resourceType: string, path: string): JsonValue | undefined {
  return PROVIDER_DEFAULTS[resourceType]?.[path.replace(/\.\d+(?=\.|$)/g, '')];
}

/**
 * Regions outside the `aws` partition, for `data.aws_partition` (its values are fixed per region,
 * so the state can carry them without a plan).
 */
export function partitionOf(region: string): { partition: string; dns_suffix: string } {
  if (region.startsWith('cn-')) return { partition: 'aws-cn', dns_suffix: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { partition: 'aws-us-gov', dns_suffix: 'amazonaws.com' };
  return { partition: 'aws', dns_suffix: 'amazonaws.com' };
}
