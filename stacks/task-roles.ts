import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { assumeRolePolicy, policyDocument } from './iam';

export interface TaskRolesProps {
  readonly namePrefix: string;
  /** ARNs of the repositories the tasks pull from. */
  readonly repositoryArns: readonly string[];
  /** ARNs of the log groups the tasks write to. */
  readonly logGroupArns: readonly string[];
  /** The certificate file system and the proxy's access point. */
  readonly fileSystemArn: string;
  readonly accessPointArn: string;
}

/**
 * The roles ECS uses for the tasks. The execution role (the agent pulling images and shipping logs)
 * is limited to these repositories and log groups; `ecr:GetAuthorizationToken` has no resource-level
 * permissions, so it alone is on "*". Only the proxy gets a task role: it mounts the certificate file
 * system with IAM authorization. The frontend and the API call no AWS API and get none.
 */
export class TaskRoles extends Construct {
  readonly execution: IamRole;
  readonly proxy: IamRole;

  constructor(scope: Construct, id: string, props: TaskRolesProps) {
    super(scope, id);
    this.execution = new IamRole(this, 'execution', {
      name: `${props.namePrefix}-task-execution`,
      assumeRolePolicy: assumeRolePolicy(this, 'execution-trust', 'ecs-tasks.amazonaws.com'),
    });
    new IamRolePolicy(this, 'execution-policy', {
      role: this.execution.id,
      name: 'pull-images-and-write-logs',
      policy: policyDocument(this, 'execution-document', [
        { sid: 'RegistryLogin', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] },
        {
          sid: 'PullPlatformImages',
          actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          resources: props.repositoryArns,
        },
        {
          sid: 'WritePlatformLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: props.logGroupArns.map((arn) => `${arn}:*`),
        },
      ]),
    });

    this.proxy = new IamRole(this, 'proxy', {
      name: `${props.namePrefix}-proxy-task`,
      assumeRolePolicy: assumeRolePolicy(this, 'proxy-trust', 'ecs-tasks.amazonaws.com'),
    });
    new IamRolePolicy(this, 'proxy-policy', {
      role: this.proxy.id,
      name: 'mount-certificate-file-system',
      policy: policyDocument(this, 'proxy-document', [
        {
          sid: 'MountCertificates',
          actions: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'],
          resources: [props.fileSystemArn],
          conditions: [{ test: 'StringEquals', variable: 'elasticfilesystem:AccessPointArn', values: [props.accessPointArn] }],
        },
      ]),
    });
  }
}
