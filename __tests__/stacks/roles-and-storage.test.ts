import { EfsFileSystem } from '@cdktf/provider-aws/lib/efs-file-system';
import { EfsAccessPoint } from '@cdktf/provider-aws/lib/efs-access-point';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { resourcesOf, synthPlatform, TerraformJson } from './support';

type Statement = { sid: string; actions: string[]; resources: string[]; condition?: unknown[] };
const statementsWith = (tf: TerraformJson, sid: string): Statement[] =>
  Object.values(tf.data?.aws_iam_policy_document ?? {})
    .flatMap((d) => (d.statement ?? []) as Statement[])
    .filter((s) => s.sid === sid);

describe('CertificateStorage', () => {
  const { json, tf } = synthPlatform();
  it('keeps certificates on an encrypted, backed-up file system reachable from both subnets', () => {
    expect(json).toHaveResourceWithProperties(EfsFileSystem, { encrypted: true, creation_token: 'platform-test-certificates' });
    expect(resourcesOf(tf, 'aws_efs_mount_target')).toHaveLength(2);
    expect(resourcesOf(tf, 'aws_efs_backup_policy')).toHaveLength(1);
  });
  it("exposes only a private directory to the proxy, owned by and accessed as the proxy's user", () => {
    expect(json).toHaveResourceWithProperties(EfsAccessPoint, {
      posix_user: { uid: 101, gid: 101 },
      root_directory: { path: '/proxy-acme', creation_info: { owner_uid: 101, owner_gid: 101, permissions: '700' } },
    });
  });
});

describe('TaskRoles', () => {
  const { json, tf } = synthPlatform();
  it('creates an execution role and a proxy task role, separate', () => {
    expect(json).toHaveResourceWithProperties(IamRole, { name: 'platform-test-task-execution' });
    expect(json).toHaveResourceWithProperties(IamRole, { name: 'platform-test-proxy-task' });
  });
  it('limits image pulls to the three repositories and logs to the three groups', () => {
    const [pull] = statementsWith(tf, 'PullPlatformImages');
    expect(pull.resources).toHaveLength(3);
    expect(pull.resources.every((r) => /^\$\{aws_ecr_repository\.\w+\.arn\}$/.test(r))).toBe(true);
    const [logs] = statementsWith(tf, 'WritePlatformLogs');
    expect(logs.resources).toHaveLength(3);
    expect(logs.resources.every((r) => /^\$\{aws_cloudwatch_log_group\.\w+\.arn\}:\*$/.test(r))).toBe(true);
  });
  it('uses "*" only for the registry login, which has no resource-level permission', () => {
    // The task roles' documents only: the chaos operator's are checked in chaos-operator.test.ts.
    const star = Object.entries(tf.data?.aws_iam_policy_document ?? {})
      .filter(([id]) => id.startsWith('task-roles_'))
      .flatMap(([, d]) => (d.statement ?? []) as Statement[])
      .filter((s) => s.resources?.includes('*'));
    expect(star.map((s) => s.actions)).toEqual([['ecr:GetAuthorizationToken']]);
  });
  it('lets the proxy mount only through its access point', () => {
    const [mount] = statementsWith(tf, 'MountCertificates');
    expect(mount.actions).toEqual(['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite']);
    expect(JSON.stringify(mount.condition)).toContain('elasticfilesystem:AccessPointArn');
  });
});
