import type { JsonObject } from '../../contract/json';
import type { RuleFixture } from './fixtures';
import { container, element, stack } from './subject-builders';

const doc = (statement: JsonObject) => element('aws_iam_policy_document', { statement: [statement] }, { block: 'data' });
const taskWithVolume = (efs: JsonObject) =>
  element('aws_ecs_task_definition', { family: 'f', volume: [{ name: 'certificates', efs_volume_configuration: efs }] });

/** The rule fixtures for containers, images, file systems, logs, IAM and the provider (see fixtures.ts). */
export const WORKLOAD_FIXTURES: Readonly<Record<string, RuleFixture>> = {
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
