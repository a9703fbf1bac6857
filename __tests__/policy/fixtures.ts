import type { JsonObject } from '../../contract/json';
import { Subject } from '../../stacks/policy/subject';
import { element, stack } from './subject-builders';
import { WORKLOAD_FIXTURES } from './workload-fixtures';

const ingressRule = (attributes: JsonObject) =>
  element('aws_vpc_security_group_ingress_rule', { ip_protocol: 'tcp', description: 'a rule', ...attributes });
const launchTemplate = (attributes: JsonObject) => element('aws_launch_template', attributes);

/** Per rule: subjects it must pass, and subjects it must flag. */
export interface RuleFixture {
  readonly compliant: readonly Subject[];
  readonly nonCompliant: readonly Subject[];
}

/** Network, instance and cluster rules here; container, image, storage, log and IAM rules in workload-fixtures.ts. */
export const FIXTURES: Readonly<Record<string, RuleFixture>> = {
  'ssh-not-open-to-world': {
    compliant: [
      ingressRule({ from_port: 22, to_port: 22, cidr_ipv4: '203.0.113.7/32' }),
      ingressRule({ from_port: 443, to_port: 443, cidr_ipv4: '0.0.0.0/0' }),
    ],
    nonCompliant: [
      ingressRule({ from_port: 22, to_port: 22, cidr_ipv4: '0.0.0.0/0' }),
      element('aws_security_group_rule', { type: 'ingress', protocol: 'tcp', from_port: 0, to_port: 65535, cidr_blocks: ['0.0.0.0/0'] }),
      element('aws_security_group', {
        description: 'g',
        ingress: [{ protocol: '-1', from_port: 0, to_port: 0, ipv6_cidr_blocks: ['::/0'] }],
      }),
    ],
  },
  'public-ingress-only-web-ports': {
    compliant: [
      ingressRule({ from_port: 443, to_port: 443, cidr_ipv4: '0.0.0.0/0' }),
      ingressRule({ from_port: 2049, to_port: 2049, referenced_security_group_id: '${aws_security_group.i.id}' }),
    ],
    nonCompliant: [
      ingressRule({ from_port: 8080, to_port: 8080, cidr_ipv4: '0.0.0.0/0' }),
      ingressRule({ from_port: 80, to_port: 443, cidr_ipv6: '::/0' }),
    ],
  },
  'security-groups-described': {
    compliant: [
      element('aws_security_group', {
        description: 'Instance: public HTTP(S)',
        ingress: [{ description: 'HTTPS', from_port: 443, to_port: 443 }],
      }),
      ingressRule({ from_port: 443, to_port: 443 }),
    ],
    nonCompliant: [
      element('aws_security_group', { description: 'Managed by Terraform' }),
      element('aws_vpc_security_group_egress_rule', { ip_protocol: 'tcp', from_port: 443, to_port: 443 }),
      element('aws_security_group', { description: 'g', egress: [{ from_port: 0, to_port: 0, protocol: '-1' }] }),
    ],
  },
  'default-security-group-closed': {
    compliant: [stack(element('aws_vpc', {}, { name: 'v' }), element('aws_default_security_group', { vpc_id: '${aws_vpc.v.id}' }))],
    nonCompliant: [
      stack(element('aws_vpc', {}, { name: 'v' })),
      stack(
        element('aws_vpc', {}, { name: 'v' }),
        element('aws_default_security_group', { vpc_id: '${aws_vpc.v.id}', ingress: [{ protocol: '-1', self: true }] }),
      ),
    ],
  },
  'subnets-no-public-ip-on-launch': {
    compliant: [element('aws_subnet', { map_public_ip_on_launch: false }), element('aws_subnet', {})],
    nonCompliant: [element('aws_subnet', { map_public_ip_on_launch: true })],
  },
  'imdsv2-required': {
    compliant: [
      launchTemplate({ metadata_options: { http_endpoint: 'enabled', http_tokens: 'required' } }),
      launchTemplate({ metadata_options: { http_endpoint: 'disabled' } }),
    ],
    nonCompliant: [
      launchTemplate({ metadata_options: { http_tokens: 'optional' } }),
      launchTemplate({}),
      element('aws_instance', { metadata_options: [{ http_tokens: 'optional' }] }),
    ],
  },
  'imds-hop-limit-one': {
    compliant: [launchTemplate({ metadata_options: { http_tokens: 'required', http_put_response_hop_limit: 1 } })],
    nonCompliant: [
      launchTemplate({ metadata_options: { http_put_response_hop_limit: 2 } }),
      launchTemplate({ metadata_options: { http_tokens: 'required' } }),
    ],
  },
  'launch-template-volumes-encrypted': {
    compliant: [
      launchTemplate({ block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_size: 30, encrypted: 'true' } }] }),
      element('aws_launch_configuration', { root_block_device: { encrypted: true } }),
    ],
    nonCompliant: [
      launchTemplate({ block_device_mappings: [{ device_name: '/dev/xvda', ebs: { volume_size: 30, encrypted: 'false' } }] }),
      launchTemplate({}),
      element('aws_launch_configuration', {}),
    ],
  },
  'no-secrets-in-user-data': {
    compliant: [launchTemplate({ user_data: '${base64encode("#!/bin/bash\\necho ECS_CLUSTER=x >> /etc/ecs/ecs.config")}' })],
    nonCompliant: [
      launchTemplate({ user_data: '${base64encode("#!/bin/bash\\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE")}' }),
      element('aws_instance', { user_data: Buffer.from('#!/bin/bash\nexport AWS_SECRET_ACCESS_KEY=abc\n').toString('base64') }),
    ],
  },
  'autoscaling-uses-launch-template': {
    compliant: [element('aws_autoscaling_group', { launch_template: { id: '${aws_launch_template.t.id}', version: '$Latest' } })],
    nonCompliant: [element('aws_autoscaling_group', { launch_configuration: 'legacy' })],
  },
  'capacity-provider-termination-protection-off': {
    compliant: [
      stack(
        element('aws_autoscaling_group', { max_size: 1 }, { name: 'g' }),
        element('aws_ecs_capacity_provider', {
          auto_scaling_group_provider: {
            auto_scaling_group_arn: '${aws_autoscaling_group.g.arn}',
            managed_termination_protection: 'DISABLED',
          },
        }),
      ),
      stack(
        element('aws_autoscaling_group', { max_size: 4, protect_from_scale_in: true }, { name: 'g' }),
        element('aws_ecs_capacity_provider', {
          auto_scaling_group_provider: {
            auto_scaling_group_arn: '${aws_autoscaling_group.g.arn}',
            managed_termination_protection: 'ENABLED',
          },
        }),
      ),
    ],
    nonCompliant: [
      stack(
        element('aws_autoscaling_group', { max_size: 1 }, { name: 'g' }),
        element('aws_ecs_capacity_provider', {
          auto_scaling_group_provider: {
            auto_scaling_group_arn: '${aws_autoscaling_group.g.arn}',
            managed_termination_protection: 'ENABLED',
          },
        }),
      ),
    ],
  },
  'container-insights-enabled': {
    compliant: [element('aws_ecs_cluster', { setting: [{ name: 'containerInsights', value: 'enabled' }] })],
    nonCompliant: [
      element('aws_ecs_cluster', { setting: [{ name: 'containerInsights', value: 'disabled' }] }),
      element('aws_ecs_cluster', {}),
    ],
  },
  'host-network-deployment-max-100': {
    compliant: [
      stack(
        element('aws_ecs_task_definition', { network_mode: 'host' }, { name: 't' }),
        element('aws_ecs_service', { task_definition: '${aws_ecs_task_definition.t.arn}', deployment_maximum_percent: 100 }),
      ),
      // A daemon: one task per instance, replaced in place; ECS ignores the maximum.
      stack(
        element('aws_ecs_task_definition', { network_mode: 'host' }, { name: 't' }),
        element('aws_ecs_service', { task_definition: '${aws_ecs_task_definition.t.arn}', scheduling_strategy: 'DAEMON' }),
      ),
      stack(
        element('aws_ecs_task_definition', { network_mode: 'awsvpc' }, { name: 't' }),
        element('aws_ecs_service', { task_definition: '${aws_ecs_task_definition.t.arn}' }),
      ),
    ],
    nonCompliant: [
      stack(
        element('aws_ecs_task_definition', { network_mode: 'host' }, { name: 't' }),
        element('aws_ecs_service', { task_definition: '${aws_ecs_task_definition.t.arn}', deployment_maximum_percent: 200 }),
      ),
      stack(
        element('aws_ecs_task_definition', { network_mode: 'host' }, { name: 't' }),
        element('aws_ecs_service', { task_definition: '${aws_ecs_task_definition.t.arn}' }),
      ),
    ],
  },
  'load-balancer-listeners-only-web-ports': {
    compliant: [
      stack(
        element('aws_lb', { internal: false }, { name: 'nlb' }),
        element('aws_lb_listener', { load_balancer_arn: '${aws_lb.nlb.arn}', port: 80, protocol: 'TCP' }, { name: 'a' }),
        element('aws_lb_listener', { load_balancer_arn: '${aws_lb.nlb.arn}', port: 443, protocol: 'TCP' }, { name: 'b' }),
      ),
      // An internal balancer may listen where it likes: the internet does not reach it.
      stack(
        element('aws_lb', { internal: true }, { name: 'nlb' }),
        element('aws_lb_listener', { load_balancer_arn: '${aws_lb.nlb.arn}', port: 8080, protocol: 'TCP' }),
      ),
      stack(),
    ],
    nonCompliant: [
      stack(
        element('aws_lb', { internal: false }, { name: 'nlb' }),
        element('aws_lb_listener', { load_balancer_arn: '${aws_lb.nlb.arn}', port: 8080, protocol: 'TCP' }),
      ),
      // TLS terminated at the balancer: a certificate the platform does not manage, and nginx no longer the TLS end.
      stack(
        element('aws_lb', {}, { name: 'nlb' }),
        element('aws_lb_listener', { load_balancer_arn: '${aws_lb.nlb.arn}', port: 443, protocol: 'TLS' }),
      ),
    ],
  },
  'load-balancer-has-security-group': {
    compliant: [
      stack(element('aws_lb', { load_balancer_type: 'network', internal: false, security_groups: ['${aws_security_group.lb.id}'] })),
      stack(element('aws_lb', { load_balancer_type: 'network', internal: true })),
      stack(),
    ],
    nonCompliant: [
      stack(element('aws_lb', { load_balancer_type: 'network', internal: false })),
      stack(element('aws_lb', { load_balancer_type: 'network', security_groups: [] })),
    ],
  },
  'load-balancer-health-check-deep': {
    compliant: [
      stack(
        element('aws_lb_target_group', { health_check: { enabled: true, protocol: 'HTTP', port: '80', path: '/readyz', matcher: '200' } }),
      ),
      stack(),
    ],
    nonCompliant: [
      stack(element('aws_lb_target_group', { health_check: { protocol: 'TCP', port: '80' } })),
      stack(element('aws_lb_target_group', { health_check: { enabled: false, protocol: 'HTTP', path: '/readyz', matcher: '200' } })),
      stack(element('aws_lb_target_group', { health_check: { protocol: 'HTTP', path: '/', matcher: '200' } })),
      stack(element('aws_lb_target_group', {})),
    ],
  },
  'deployment-circuit-breaker-rollback': {
    compliant: [
      element('aws_ecs_service', { deployment_circuit_breaker: { enable: true, rollback: true } }),
      element('aws_ecs_service', { deployment_controller: { type: 'CODE_DEPLOY' } }),
    ],
    nonCompliant: [
      element('aws_ecs_service', { deployment_circuit_breaker: { enable: true, rollback: false } }),
      element('aws_ecs_service', {}),
    ],
  },
  'execution-role-not-task-role': {
    compliant: [
      element('aws_ecs_task_definition', { execution_role_arn: '${aws_iam_role.e.arn}' }),
      element('aws_ecs_task_definition', { execution_role_arn: '${aws_iam_role.e.arn}', task_role_arn: '${aws_iam_role.t.arn}' }),
    ],
    nonCompliant: [
      element('aws_ecs_task_definition', { execution_role_arn: '${aws_iam_role.e.arn}', task_role_arn: '${aws_iam_role.e.arn}' }),
    ],
  },
  ...WORKLOAD_FIXTURES,
};
