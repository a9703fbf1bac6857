import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ssmHostAccess } from '../../../chaos/adapters/ssm/ssm-host-access';
import type { HostCommandResult } from '../../../chaos/faults/ports';
import type { JsonObject } from '../../../contract/json';
import { AwsJsonEndpoint, type Answer } from '../support/aws-json-endpoint';
import { CONTAINER_INSTANCE } from './support/ecs-recorded';
import { awsOutputs } from './support/outputs';
import { fakeClock, INSTANCE } from './support/ssm-mocks';

/** The SSM host adapter with the real ECS and SSM clients against a local awsJson1_1 endpoint. */
const aws = new AwsJsonEndpoint();
beforeAll(() => aws.start());
afterAll(() => aws.stop());

const COMMAND_ID = 'c0ffee00-0000-4000-8000-000000000001';
const outputs = awsOutputs({ hostAccess: 'ssm' });
const clock = fakeClock();
const never = (): never => {
  throw new Error('no such AWS client in these tests');
};
const clients = {
  ecs: () => new ECSClient(aws.clientConfig()),
  ssm: () => new SSMClient(aws.clientConfig()),
  ec2: never,
  autoScaling: never,
  cloudWatch: never,
  sts: never,
};

beforeEach(() => {
  aws.reset();
  clock.slept.length = 0;
  aws
    .on('ListContainerInstances', { containerInstanceArns: [CONTAINER_INSTANCE] })
    .on('DescribeContainerInstances', {
      containerInstances: [{ containerInstanceArn: CONTAINER_INSTANCE, ec2InstanceId: INSTANCE, status: 'ACTIVE' }],
      failures: [],
    })
    .on('SendCommand', { Command: { CommandId: COMMAND_ID, Status: 'Pending' } })
    .on('CancelCommand', {});
});

function invocation(Status: string, out: { code: number; stdout?: string; stderr?: string; details?: string }): JsonObject {
  return {
    CommandId: COMMAND_ID,
    InstanceId: INSTANCE,
    DocumentName: 'AWS-RunShellScript',
    Status,
    StatusDetails: out.details ?? Status,
    ResponseCode: out.code,
    StandardOutputContent: out.stdout ?? '',
    StandardErrorContent: out.stderr ?? '',
  };
}

/** Runs `words` on the cluster's instance through the adapter, GetCommandInvocation answering `answers` in turn. */
async function exec(words: readonly string[], answers: readonly Answer[]): Promise<HostCommandResult> {
  aws.onSequence('GetCommandInvocation', answers);
  const host = ssmHostAccess(outputs, clients, { pollMs: 500, commandTimeoutMs: 10_000, clock });
  return host.withSession({ connectTimeoutMs: 5000 }, new AbortController().signal, (session) => session.exec(words));
}

describe('host commands over SSM through the real SDK clients', () => {
  it('sends AWS-RunShellScript to the instance, polls while InProgress, and returns the Success with its stdout', async () => {
    const result = await exec(
      ['docker', 'ps', '--format', '{{.ID}} {{.Names}}'],
      [
        { error: 'InvocationDoesNotExist', message: 'An error occurred (InvocationDoesNotExist)' },
        invocation('InProgress', { code: -1 }),
        invocation('Success', { code: 0, stdout: 'bc6b942c569c api\n' }),
      ],
    );
    expect(result).toEqual({ command: "docker ps --format '{{.ID}} {{.Names}}'", code: 0, stdout: 'bc6b942c569c api\n', stderr: '' });
    expect(aws.operations()).toEqual([
      'ListContainerInstances',
      'DescribeContainerInstances',
      'SendCommand',
      'GetCommandInvocation',
      'GetCommandInvocation',
      'GetCommandInvocation',
    ]);
    expect(aws.requests[2]?.target).toBe('AmazonSSM.SendCommand');
    expect(aws.bodies('ListContainerInstances')).toEqual([{ cluster: 'platform-test', status: 'ACTIVE' }]);
    expect(aws.bodies('SendCommand')).toEqual([
      {
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: [INSTANCE],
        Parameters: { commands: ["docker ps --format '{{.ID}} {{.Names}}'"], executionTimeout: ['10'] },
        Comment: 'chaos host command',
      },
    ]);
    expect(aws.bodies('GetCommandInvocation')).toEqual(Array(3).fill({ CommandId: COMMAND_ID, InstanceId: INSTANCE }));
    expect(clock.slept).toEqual([500, 500]);
  });

  it('a Failed command returns its ResponseCode 1 and stderr', async () => {
    const result = await exec(
      ['docker', 'stop', 'bc6b942c569c'],
      [invocation('Failed', { code: 1, stderr: 'Error: No such container\n' })],
    );
    expect(result).toEqual({ command: 'docker stop bc6b942c569c', code: 1, stdout: '', stderr: 'Error: No such container\n' });
  });

  it('a TimedOut command has no exit status and says why', async () => {
    const result = await exec(
      ['docker', 'ps'],
      [invocation('InProgress', { code: -1 }), invocation('TimedOut', { code: -1, details: 'ExecutionTimedOut' })],
    );
    expect(result).toEqual({ command: 'docker ps', code: null, stdout: '', stderr: 'SSM command TimedOut (ExecutionTimedOut)' });
    expect(aws.operations().filter((o) => o === 'GetCommandInvocation')).toHaveLength(2);
  });

  it('a ThrottlingException on a poll is retried by the SDK, not taken for the answer', async () => {
    aws.throttleNext('GetCommandInvocation', 1);
    const result = await exec(['true'], [invocation('Success', { code: 0 })]);
    expect(result.code).toBe(0);
    expect(aws.operations().filter((o) => o === 'GetCommandInvocation')).toHaveLength(2);
    expect(clock.slept).toEqual([]);
  });

  it('an AccessDeniedException on SendCommand fails the command, not retried', async () => {
    aws.failNext('SendCommand', { error: 'AccessDeniedException', message: 'not authorized to perform: ssm:SendCommand' });
    await expect(exec(['docker', 'ps'], [])).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { attempts: 1 } });
    expect(aws.operations()).toEqual(['ListContainerInstances', 'DescribeContainerInstances', 'SendCommand']);
  });
});
