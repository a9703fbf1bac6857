import { DescribeContainerInstancesCommand, ECSClient, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  SSMClient,
  type GetCommandInvocationCommandOutput,
  type SendCommandCommandInput,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { SsmCommandSettings } from '../../../../chaos/adapters/ssm/ssm-command';
import { ssmHostAccess } from '../../../../chaos/adapters/ssm/ssm-host-access';
import type { Clock } from '../../../../chaos/faults/types';
import type { AwsOutputs } from '../../../../contract/outputs';
import { withHost } from '../../helpers/recording-host';
import { contextFor } from './context';
import { CONTAINER_INSTANCE } from './ecs-recorded';
import { awsOutputs } from './outputs';

/** The EC2 instance behind the cluster's one container instance, as ECS answers it. */
export const INSTANCE = 'i-0a1b2c3d4e5f60718';

/** A clock that only moves when slept on, so polls and deadlines take no real time. */
export function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      slept.push(ms);
      now += ms;
    },
  };
}

/** An invocation as GetCommandInvocation returns it. */
export function invocation(
  Status: GetCommandInvocationCommandOutput['Status'],
  out: { code?: number; stdout?: string; stderr?: string; details?: string } = {},
): GetCommandInvocationCommandOutput {
  return {
    $metadata: { httpStatusCode: 200 },
    CommandId: 'c0ffee00-0000-4000-8000-000000000001',
    InstanceId: INSTANCE,
    DocumentName: 'AWS-RunShellScript',
    Status,
    StatusDetails: out.details ?? Status,
    ResponseCode: out.code ?? (Status === 'Success' ? 0 : -1),
    StandardOutputContent: out.stdout ?? '',
    StandardErrorContent: out.stderr ?? '',
  };
}

/**
 * ECS and SSM mocked at the SDK boundary, reset before each test: the cluster has one container
 * instance (`INSTANCE`), and `answer(line)` says how a command line ends on the host. Call it at
 * the top level of a test file.
 */
export function mockSsmHost() {
  const ecsMock = mockClient(ECSClient);
  const ssmMock = mockClient(SSMClient);
  const clients = { ecs: () => new ECSClient({ region: 'us-east-1' }), ssm: () => new SSMClient({ region: 'us-east-1' }) };
  const sent: string[] = [];
  let answer: (line: string) => GetCommandInvocationCommandOutput = () => invocation('Success');
  const clock = fakeClock();
  beforeEach(() => {
    ecsMock.reset();
    ssmMock.reset();
    sent.length = 0;
    clock.slept.length = 0;
    answer = () => invocation('Success');
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [CONTAINER_INSTANCE] });
    ecsMock
      .on(DescribeContainerInstancesCommand)
      .resolves({ containerInstances: [{ containerInstanceArn: CONTAINER_INSTANCE, ec2InstanceId: INSTANCE, status: 'ACTIVE' }] });
    ssmMock.on(SendCommandCommand).callsFake((input: SendCommandCommandInput) => {
      sent.push(input.Parameters?.commands?.[0] ?? '');
      return { Command: { CommandId: `cmd-${sent.length}` } };
    });
    ssmMock.on(CancelCommandCommand).resolves({});
    ssmMock
      .on(GetCommandInvocationCommand)
      .callsFake((input: { CommandId: string }) => answer(sent[Number(input.CommandId.slice(4)) - 1] ?? ''));
  });
  const settings = (): SsmCommandSettings => ({ pollMs: 500, commandTimeoutMs: 10_000, clock });
  /** A driver context on SSM outputs whose host port is the SSM adapter with the fake clock. */
  const context = (outputs: AwsOutputs = awsOutputs({ hostAccess: 'ssm' }), signal?: AbortSignal) => {
    const ctx = contextFor(outputs, clients, signal);
    return withHost(ctx, ssmHostAccess(outputs, clientsOf(clients), settings()));
  };
  return {
    ecsMock,
    ssmMock,
    clients,
    sent,
    clock,
    settings,
    context,
    answer: (fn: (line: string) => GetCommandInvocationCommandOutput) => {
      answer = fn;
    },
  };
}

function clientsOf(clients: { ecs: () => ECSClient; ssm: () => SSMClient }) {
  const never = (): never => {
    throw new Error('no such AWS client in these tests');
  };
  return { ...clients, ec2: never, autoScaling: never, cloudWatch: never, sts: never };
}
