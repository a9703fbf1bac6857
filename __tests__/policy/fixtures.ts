import { ContainerSpec } from '../../stacks/container-definition';
import type { JsonObject } from '../../contract/json';
import { ContainerSubject, ResourceSubject, StackSubject, Subject, TerraformBlock } from '../../stacks/policy/subject';

/** A Terraform element as the stack would synthesize it; `name` gives its address ("aws_x.<name>"). */
export function element(type: string, attributes: JsonObject, options: { name?: string; block?: TerraformBlock } = {}): ResourceSubject {
  const name = options.name ?? 'subject';
  const block = options.block ?? 'resource';
  const address = block === 'data' ? `data.${type}.${name}` : block === 'provider' ? `provider.${type}` : `${type}.${name}`;
  return { kind: 'resource', block, type, address, path: `test/${name}`, attributes };
}

/** A container that passes every container rule; tests override what they are about. */
export const COMPLIANT_SPEC: ContainerSpec = {
  name: 'api',
  image: 'repo/api:abc1234',
  memoryMiB: 128,
  ports: [8080],
  healthCheck: { command: ['CMD', '/usr/local/bin/api', 'healthcheck'] },
  stopTimeoutSeconds: 10,
  restartPolicy: { enabled: true, attemptPeriodSeconds: 60 },
  readonlyRootFilesystem: true,
  user: '65532:65532',
  logs: { group: '/platform-test/api', region: 'eu-west-1', streamPrefix: 'api' },
};

export function container(overrides: Partial<ContainerSpec> = {}, definition: JsonObject = { privileged: false }): ContainerSubject {
  return {
    kind: 'container',
    path: 'test/api',
    taskDefinition: 'aws_ecs_task_definition.api_task',
    spec: { ...COMPLIANT_SPEC, ...overrides },
    definition,
  };
}

export function stack(...elements: readonly ResourceSubject[]): StackSubject {
  return { kind: 'stack', path: 'test', elements };
}

const ingressRule = (attributes: JsonObject) =>
  element('aws_vpc_security_group_ingress_rule', { ip_protocol: 'tcp', description: 'a rule', ...attributes });
const doc = (statement: JsonObject) => element('aws_iam_policy_document', { statement: [statement] }, { block: 'data' });
const launchTemplate = (attributes: JsonObject) => element('aws_launch_template', attributes);
const taskWithVolume = (efs: JsonObject) =>
  element('aws_ecs_task_definition', { family: 'f', volume: [{ name: 'certificates', efs_volume_configuration: efs }] });

/** Per rule: subjects it must pass, and subjects it must flag. */
export interface RuleFixture {
  readonly compliant: readonly Subject[];
  readonly nonCompliant: readonly Subject[];
}

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
  'no-privileged-containers': {
    compliant: [container()],
    nonCompliant: [container({}, { privileged: true })],
  },
  'read-only-root-filesystem': {
    compliant: [container()],
    nonCompliant: [container({ readonlyRootFilesystem: false }), container({ readonlyRootFilesystem: undefined })],
  },
  'non-root-user': {
    compliant: [container(), container({ user: 'www-data' })],
    nonCompliant: [container({ user: 'root' }), container({ user: '0:0' }), container({ user: undefined })],
  },
  'container-health-check': {
    compliant: [container(), container({ healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/'] } })],
    nonCompliant: [container({ healthCheck: undefined }), container({ healthCheck: { command: ['/bin/check'] } })],
  },
  'container-stop-timeout': {
    compliant: [container({ stopTimeoutSeconds: 15 })],
    nonCompliant: [container({ stopTimeoutSeconds: undefined }), container({ stopTimeoutSeconds: 300 })],
  },
  'container-restart-policy': {
    compliant: [container()],
    nonCompliant: [container({ restartPolicy: { enabled: false } }), container({ restartPolicy: undefined })],
  },
  'no-secrets-in-container-environment': {
    compliant: [
      container({
        environment: { DOMAIN: 'app.example.com', ACME_DIRECTORY: 'https://acme-staging-v02.api.letsencrypt.org/directory', API_TOKEN: '' },
      }),
    ],
    nonCompliant: [
      container({ environment: { DB_PASSWORD: 'hunter2' } }),
      container({ environment: { UPSTREAM: 'AKIAIOSFODNN7EXAMPLE' } }),
      container({ environment: { SIGNING: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } }),
    ],
  },
  'ecr-scan-on-push': {
    compliant: [element('aws_ecr_repository', { image_scanning_configuration: { scan_on_push: true } })],
    nonCompliant: [
      element('aws_ecr_repository', { image_scanning_configuration: { scan_on_push: false } }),
      element('aws_ecr_repository', {}),
    ],
  },
  'ecr-tags-immutable': {
    compliant: [element('aws_ecr_repository', { image_tag_mutability: 'IMMUTABLE' })],
    nonCompliant: [element('aws_ecr_repository', { image_tag_mutability: 'MUTABLE' }), element('aws_ecr_repository', {})],
  },
  'ecr-lifecycle-policy': {
    compliant: [
      stack(
        element('aws_ecr_repository', { name: 'p/api' }, { name: 'r' }),
        element('aws_ecr_lifecycle_policy', { repository: '${aws_ecr_repository.r.name}' }),
      ),
      stack(element('aws_ecr_repository', { name: 'p/api' }, { name: 'r' }), element('aws_ecr_lifecycle_policy', { repository: 'p/api' })),
    ],
    nonCompliant: [stack(element('aws_ecr_repository', { name: 'p/api' }, { name: 'r' }))],
  },
  'efs-encrypted-at-rest': {
    compliant: [element('aws_efs_file_system', { encrypted: true })],
    nonCompliant: [element('aws_efs_file_system', { encrypted: false }), element('aws_efs_file_system', {})],
  },
  'efs-volume-transit-encryption': {
    compliant: [
      taskWithVolume({ file_system_id: 'fs-1', transit_encryption: 'ENABLED' }),
      element('aws_ecs_task_definition', { volume: [{ name: 'scratch', host_path: '/tmp' }] }),
    ],
    nonCompliant: [taskWithVolume({ file_system_id: 'fs-1', transit_encryption: 'DISABLED' }), taskWithVolume({ file_system_id: 'fs-1' })],
  },
  'efs-volume-iam-authorization': {
    compliant: [taskWithVolume({ file_system_id: 'fs-1', authorization_config: { access_point_id: 'fsap-1', iam: 'ENABLED' } })],
    nonCompliant: [
      taskWithVolume({ file_system_id: 'fs-1' }),
      taskWithVolume({ file_system_id: 'fs-1', authorization_config: { access_point_id: 'fsap-1', iam: 'DISABLED' } }),
    ],
  },
  'efs-access-point-root-directory': {
    compliant: [element('aws_efs_access_point', { root_directory: { path: '/acme' } })],
    nonCompliant: [element('aws_efs_access_point', { root_directory: { path: '/' } }), element('aws_efs_access_point', {})],
  },
  'efs-backup-enabled': {
    compliant: [
      stack(
        element('aws_efs_file_system', { encrypted: true }, { name: 'f' }),
        element('aws_efs_backup_policy', { file_system_id: '${aws_efs_file_system.f.id}', backup_policy: { status: 'ENABLED' } }),
      ),
    ],
    nonCompliant: [
      stack(element('aws_efs_file_system', { encrypted: true }, { name: 'f' })),
      stack(
        element('aws_efs_file_system', { encrypted: true }, { name: 'f' }),
        element('aws_efs_backup_policy', { file_system_id: '${aws_efs_file_system.f.id}', backup_policy: { status: 'DISABLED' } }),
      ),
    ],
  },
  'log-group-retention': {
    compliant: [element('aws_cloudwatch_log_group', { retention_in_days: 14 })],
    nonCompliant: [element('aws_cloudwatch_log_group', { retention_in_days: 0 }), element('aws_cloudwatch_log_group', {})],
  },
  'no-wildcard-iam-actions': {
    compliant: [
      doc({ effect: 'Allow', actions: ['ecr:BatchGetImage'], resources: ['${aws_ecr_repository.r.arn}'] }),
      doc({ effect: 'Deny', actions: ['*'], resources: ['*'] }),
    ],
    nonCompliant: [
      doc({ actions: ['*'], resources: ['${aws_ecr_repository.r.arn}'] }),
      doc({ actions: ['s3:*'], resources: ['arn:aws:s3:::b/*'] }),
      doc({ not_actions: ['iam:*'], resources: ['*'] }),
      element('aws_iam_policy', {
        policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }),
      }),
    ],
  },
  'no-wildcard-iam-resources': {
    compliant: [
      doc({ sid: 'RegistryLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
      doc({ actions: ['logs:PutLogEvents'], resources: ['${aws_cloudwatch_log_group.g.arn}:*'] }),
    ],
    nonCompliant: [
      doc({ sid: 'Pull', actions: ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage'], resources: ['*'] }),
      element('aws_iam_role_policy', {
        policy: JSON.stringify({ Statement: { Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' } }),
      }),
    ],
  },
  'iam-trust-names-principals': {
    compliant: [
      doc({ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['ecs-tasks.amazonaws.com'] }] }),
      doc({
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'AWS', identifiers: ['*'] }],
        condition: [{ test: 'StringEquals', variable: 'aws:PrincipalOrgID', values: ['o-1'] }],
      }),
    ],
    nonCompliant: [
      doc({ actions: ['sts:AssumeRole'], principals: [{ type: 'AWS', identifiers: ['*'] }] }),
      element('aws_iam_role', {
        assume_role_policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*' }] }),
      }),
    ],
  },
  'no-credentials-in-provider': {
    compliant: [element('aws', { region: 'eu-west-1', default_tags: [{ tags: { team: 'platform' } }] }, { block: 'provider' })],
    nonCompliant: [element('aws', { region: 'eu-west-1', access_key: 'AKIAIOSFODNN7EXAMPLE', secret_key: 'x' }, { block: 'provider' })],
  },
};
