import { ECSClient } from '@aws-sdk/client-ecs';
import { ecsOrchestrator } from '../../../chaos/adapters/ecs/ecs-orchestrator';
import type { JsonObject } from '../../../contract/json';
import { AwsJsonEndpoint } from '../support/aws-json-endpoint';
import { contextFor } from './support/context';
import { NEW_TASK, OLD_TASK, taskArn } from './support/ecs-recorded';
import { awsOutputs } from './support/outputs';

/** The real ECS client (serializer, retry strategy, error parser) against a local awsJson1_1 endpoint. */
const aws = new AwsJsonEndpoint();
beforeAll(() => aws.start());
afterAll(() => aws.stop());
beforeEach(() => aws.reset());

const outputs = awsOutputs();
const clients = { ecs: () => new ECSClient(aws.clientConfig()) };
const orchestrator = () => ecsOrchestrator(outputs, clientsOf());
function clientsOf() {
  const never = (): never => {
    throw new Error('no such AWS client in these tests');
  };
  return { ecs: clients.ecs, ec2: never, autoScaling: never, cloudWatch: never, ssm: never, sts: never };
}

const SERVICE: JsonObject = {
  services: [{ serviceName: 'platform-test-api', status: 'ACTIVE', desiredCount: 1, runningCount: 1, pendingCount: 0, events: [] }],
  failures: [],
};
const running = (arn: string): JsonObject => ({ taskArn: arn, lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
const stopped = (arn: string): JsonObject => ({
  taskArn: arn,
  lastStatus: 'STOPPED',
  desiredStatus: 'STOPPED',
  stopCode: 'UserInitiated',
  stoppedReason: 'game day',
  stoppedAt: 1764576000,
});

describe('the ECS orchestrator through the real SDK client', () => {
  it('StopTask, then service-stable polled until the stopped task is STOPPED and a new one RUNNING', async () => {
    aws
      .onSequence('ListTasks', [{ taskArns: [OLD_TASK] }, { taskArns: [OLD_TASK, NEW_TASK] }, { taskArns: [NEW_TASK] }])
      .on('StopTask', { task: running(OLD_TASK) })
      .on('DescribeServices', SERVICE)
      .onSequence('DescribeTasks', [{ tasks: [running(OLD_TASK), running(NEW_TASK)] }, { tasks: [running(NEW_TASK), stopped(OLD_TASK)] }]);
    const ctx = contextFor(outputs, clients);
    const ecs = orchestrator();
    const result = await ecs.stopTask(ctx, { fault: 'ecs:stop-task', service: 'api', reason: 'game day' });
    expect(result).toMatchObject({ stoppedTask: OLD_TASK, lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
    const polls: JsonObject[] = [];
    for (let i = 0; i < 5 && polls.at(-1)?.stable !== true; i++) polls.push(await ecs.serviceStable(ctx, 'api'));
    expect(polls.map((p) => p.stable)).toEqual([false, true]);
    expect(polls[0]?.reason).toBe('the stopped task is still RUNNING');
    expect(polls[1]).toMatchObject({
      stoppedTask: OLD_TASK,
      stoppedTaskStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedAt: '2025-12-01T08:00:00.000Z',
      newTask: NEW_TASK,
    });
    expect(aws.operations()).toEqual([
      'ListTasks',
      'StopTask',
      'DescribeServices',
      'ListTasks',
      'DescribeTasks',
      'DescribeServices',
      'ListTasks',
      'DescribeTasks',
    ]);
    expect(aws.requests[0]?.target).toBe('AmazonEC2ContainerServiceV20141113.ListTasks');
    expect(aws.bodies('StopTask')).toEqual([{ cluster: 'platform-test', task: OLD_TASK, reason: 'game day' }]);
    expect(aws.bodies('ListTasks')[0]).toEqual({ cluster: 'platform-test', serviceName: 'platform-test-api', desiredStatus: 'RUNNING' });
    expect(aws.bodies('DescribeServices')[0]).toEqual({ cluster: 'platform-test', services: ['platform-test-api'] });
    expect(aws.bodies('DescribeTasks')).toEqual([
      { cluster: 'platform-test', tasks: [OLD_TASK, NEW_TASK] },
      { cluster: 'platform-test', tasks: [NEW_TASK, OLD_TASK] },
    ]);
  });

  it('ListTasks pagination is followed: a named task on the second page is found and stopped', async () => {
    const second = taskArn('9f8e7d6c5b4a49382716f5e4d3c2b1a0');
    aws
      .on('ListTasks', (body): JsonObject =>
        body.nextToken === 'page-2' ? { taskArns: [second] } : { taskArns: [OLD_TASK], nextToken: 'page-2' },
      )
      .on('StopTask', { task: running(second) });
    const ctx = contextFor(outputs, clients);
    await expect(
      orchestrator().stopTask(ctx, { fault: 'ecs:stop-task', service: 'api', reason: 'r', task: second }),
    ).resolves.toMatchObject({
      stoppedTask: second,
    });
    // Both pages asked for, the second with the first's token, then the stop.
    expect(aws.operations()).toEqual(['ListTasks', 'ListTasks', 'StopTask']);
    expect(aws.bodies('ListTasks')[0]).not.toHaveProperty('nextToken');
    expect(aws.bodies('ListTasks')[1]).toMatchObject({ nextToken: 'page-2' });
  });

  it('a ThrottlingException answered once is retried by the SDK, and the call succeeds', async () => {
    aws
      .throttleNext('ListTasks', 1)
      .on('ListTasks', { taskArns: [OLD_TASK] })
      .on('StopTask', { task: running(OLD_TASK) });
    const ctx = contextFor(outputs, clients);
    await expect(orchestrator().stopTask(ctx, { fault: 'ecs:stop-task', service: 'api', reason: 'r' })).resolves.toMatchObject({
      stoppedTask: OLD_TASK,
    });
    expect(aws.operations()).toEqual(['ListTasks', 'ListTasks', 'StopTask']);
    expect(aws.bodies('ListTasks')[1]).toEqual(aws.bodies('ListTasks')[0]);
  });

  it('an AccessDeniedException is not retried and surfaces with its name and message', async () => {
    aws.failNext('ListTasks', { error: 'AccessDeniedException', message: 'User is not authorized to perform: ecs:ListTasks' }, 5);
    const ctx = contextFor(outputs, clients);
    await expect(orchestrator().stopTask(ctx, { fault: 'ecs:stop-task', service: 'api', reason: 'r' })).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'User is not authorized to perform: ecs:ListTasks',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    expect(aws.operations()).toEqual(['ListTasks']);
  });
});
