import 'aws-sdk-client-mock-jest';
import { DescribeAutoScalingGroupsCommand, AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListTasksCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { ecsDrainInstance } from '../../../chaos/drivers/ecs/drain-instance';
import { ecsScaleService } from '../../../chaos/drivers/ecs/scale-service';
import { ecsServiceEvents } from '../../../chaos/drivers/ecs/service-events';
import { ecsServiceStable } from '../../../chaos/drivers/ecs/service-stable';
import { ecsStopTask } from '../../../chaos/drivers/ecs/stop-task';
import { ActivityFailedError } from '../../../chaos/errors';
import { contextFor, rollbackFault, runFault, targetFor } from './support/context';
import { CONTAINER_INSTANCE, MISSING_SERVICE, NEW_TASK, OLD_TASK, service, task, tasks } from './support/ecs-recorded';
import { awsOutputs, testOutputs } from './support/outputs';
import { CONTAINER_A, psLine, RecordedDocker, serviceLine, TASK_A, TASK_B, taskLine } from './support/recorded-docker';

const ecsMock = mockClient(ECSClient);
const asgMock = mockClient(AutoScalingClient);
const clients = { ecs: () => new ECSClient({ region: 'us-east-1' }), autoScaling: () => new AutoScalingClient({ region: 'us-east-1' }) };
const aws = () => contextFor(awsOutputs(), clients);

beforeEach(() => {
  ecsMock.reset();
  asgMock.reset();
});

describe('ecs fault arguments', () => {
  it.each<[string, { bind(a: unknown): { ok: boolean } }, unknown, boolean]>([
    ['stop-task: a service', ecsStopTask, { service: 'api' }, true],
    ['stop-task: a task ARN and a reason', ecsStopTask, { service: 'api', task: OLD_TASK, reason: 'game day' }, true],
    ['stop-task: a task id without ARN', ecsStopTask, { service: 'api', task: '0b69d5c0d0d44f1f8e0b5f1f0d1e2a3b' }, false],
    ['stop-task: a reason over 255 characters', ecsStopTask, { service: 'api', reason: 'x'.repeat(256) }, false],
    ['stop-task: a cluster (it comes from the outputs)', ecsStopTask, { service: 'api', cluster: 'other' }, false],
    ['service-stable: a stopped task', ecsServiceStable, { service: 'proxy', stoppedTask: NEW_TASK }, true],
    ['service-stable: a stopped task that is no ARN', ecsServiceStable, { service: 'proxy', stoppedTask: 'abc' }, false],
    ['service-events: a limit', ecsServiceEvents, { service: 'api', limit: 5 }, true],
    ['service-events: a limit of 0', ecsServiceEvents, { service: 'api', limit: 0 }, false],
    ['drain-instance: nothing', ecsDrainInstance, {}, true],
    ['drain-instance: a revert delay', ecsDrainInstance, { revertAfterSeconds: 30 }, true],
    ['drain-instance: a revert delay of 0', ecsDrainInstance, { revertAfterSeconds: 0 }, false],
    ['drain-instance: an instance id (found in the ASG instead)', ecsDrainInstance, { instanceId: 'i-0' }, false],
    ['scale-service: a count', ecsScaleService, { service: 'frontend', desiredCount: 0 }, true],
    ['scale-service: no count', ecsScaleService, { service: 'frontend' }, false],
    ['scale-service: a negative count', ecsScaleService, { service: 'frontend', desiredCount: -1 }, false],
  ])('%s', (_name, fault, args, valid) => {
    expect(fault.bind(args).ok).toBe(valid);
  });
});

describe('ecs:stop-task', () => {
  it('GIVEN a running task THEN StopTask with the reason, recorded for the probe', async () => {
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [OLD_TASK] });
    ecsMock.on(StopTaskCommand).resolves({ task: task(OLD_TASK, 'RUNNING') });
    const ctx = aws();
    const result = await runFault(ecsStopTask, { service: 'api', reason: 'game day: stop the API' }, ctx);
    expect(ecsMock).toHaveReceivedCommandWith(ListTasksCommand, {
      cluster: 'platform-test',
      serviceName: 'platform-test-api',
      desiredStatus: 'RUNNING',
    });
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, {
      cluster: 'platform-test',
      task: OLD_TASK,
      reason: 'game day: stop the API',
    });
    expect(result).toMatchObject({ stoppedTask: OLD_TASK, reason: 'game day: stop the API', orchestrator: 'ecs' });
    expect(ctx.record.lastStopped('api', 'ecs-task')).toMatchObject({ id: OLD_TASK });
  });

  it.each<[string, string[], object, RegExp]>([
    ['no running task', [], {}, /has no running task in platform-test to stop/],
    ['a named task of another service', [OLD_TASK], { task: NEW_TASK }, /is not a running task of platform-test-api .*refused/],
  ])('GIVEN %s THEN it fails without StopTask', async (_name, running, extra, message) => {
    ecsMock.on(ListTasksCommand).resolves({ taskArns: running });
    await expect(runFault(ecsStopTask, { service: 'api', ...extra }, aws())).rejects.toThrow(message);
    expect(ecsMock).not.toHaveReceivedCommand(StopTaskCommand);
  });

  it('GIVEN the local target THEN it stops the swarm task instead, and says so in the plan', async () => {
    const docker = new RecordedDocker().on(['ps'], psLine(CONTAINER_A, TASK_A)).on(['stop'], CONTAINER_A);
    const ctx = contextFor(testOutputs(), { ...clients, docker: () => docker });
    await expect(runFault(ecsStopTask, { service: 'api' }, ctx)).resolves.toMatchObject({ stoppedTask: TASK_A, orchestrator: 'swarm' });
    expect(ecsMock.calls()).toHaveLength(0);
    const bound = ecsStopTask.bind({ service: 'api' });
    if (!bound.ok) throw new Error('bad arguments');
    expect(bound.bound.describe(targetFor(testOutputs()))).toMatch(/^local target, as swarm:stop-task/);
    expect(bound.bound.describe(targetFor(awsOutputs()))).toBe(
      'ECS StopTask of a running task of platform-test-api in platform-test, reason "chaos experiment"',
    );
  });
});

describe('ecs:service-stable', () => {
  it('GIVEN no fault in this run THEN stable means running = desired and pending = 0', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(service({ desired: 1, running: 1, pending: 0 }));
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [OLD_TASK] });
    ecsMock.on(DescribeTasksCommand).resolves(tasks(task(OLD_TASK, 'RUNNING')));
    await expect(runFault(ecsServiceStable, { service: 'api' }, aws())).resolves.toEqual({
      service: 'api',
      serviceName: 'platform-test-api',
      stable: true,
      desired: 1,
      running: 1,
      pending: 0,
      runningTasks: [OLD_TASK],
      orchestrator: 'ecs',
    });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'platform-test', services: ['platform-test-api'] });
  });

  it.each<[string, { desired: number; running: number; pending: number }, RegExp]>([
    ['a task missing', { desired: 1, running: 0, pending: 0 }, /0 of 1 tasks running/],
    ['a task pending', { desired: 1, running: 1, pending: 1 }, /1 pending/],
  ])('GIVEN %s THEN not stable', async (_name, counts, reason) => {
    ecsMock.on(DescribeServicesCommand).resolves(service(counts));
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [] });
    const result = await runFault(ecsServiceStable, { service: 'api' }, aws());
    expect(result).toMatchObject({ stable: false, reason: expect.stringMatching(reason) });
  });

  it('GIVEN the task this run stopped THEN "stable" waits for it STOPPED (with its stop code) and a new task RUNNING', async () => {
    const ctx = aws();
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [OLD_TASK] });
    ecsMock.on(StopTaskCommand).resolves({ task: task(OLD_TASK, 'RUNNING') });
    await runFault(ecsStopTask, { service: 'api' }, ctx);

    // Right after StopTask: ECS still counts the old task; "services-stable" would say yes here.
    ecsMock.on(DescribeServicesCommand).resolves(service({ desired: 1, running: 1, pending: 0 }));
    ecsMock.on(DescribeTasksCommand).resolves(tasks(task(OLD_TASK, 'DEACTIVATING')));
    await expect(runFault(ecsServiceStable, { service: 'api' }, ctx)).resolves.toMatchObject({
      stable: false,
      stoppedTask: OLD_TASK,
      stoppedTaskStatus: 'DEACTIVATING',
      newTask: null,
      reason: 'the stopped task is still DEACTIVATING; no new task RUNNING yet',
    });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTasksCommand, { cluster: 'platform-test', tasks: [OLD_TASK] });

    ecsMock.on(ListTasksCommand).resolves({ taskArns: [NEW_TASK] });
    ecsMock.on(DescribeTasksCommand).resolves(tasks(task(NEW_TASK, 'RUNNING'), task(OLD_TASK, 'STOPPED')));
    await expect(runFault(ecsServiceStable, { service: 'api' }, ctx)).resolves.toMatchObject({
      stable: true,
      stoppedTask: OLD_TASK,
      stoppedTaskStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'chaos experiment',
      stoppedAt: '2026-05-02T10:00:05.000Z',
      newTask: NEW_TASK,
      runningTasks: [NEW_TASK],
    });
  });

  it('GIVEN a stopped task named in the arguments and ECS no longer knowing it THEN it counts as gone', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(service({ desired: 1, running: 1, pending: 0 }));
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [NEW_TASK] });
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [task(NEW_TASK, 'RUNNING')], failures: [{ arn: OLD_TASK, reason: 'MISSING' }] });
    await expect(runFault(ecsServiceStable, { service: 'api', stoppedTask: OLD_TASK }, aws())).resolves.toMatchObject({
      stable: true,
      stoppedTaskStatus: 'MISSING',
      newTask: NEW_TASK,
    });
  });

  it('GIVEN ECS does not know the service THEN ActivityFailedError', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(MISSING_SERVICE);
    const attempt = runFault(ecsServiceStable, { service: 'api' }, aws());
    await expect(attempt).rejects.toThrow(ActivityFailedError);
    await expect(attempt).rejects.toThrow(/platform-test-api not found in cluster platform-test \(MISSING\)/);
  });

  it('GIVEN the local target THEN it reports the swarm convergence as "stable"', async () => {
    const docker = new RecordedDocker()
      .on(['service', 'ls'], serviceLine('platform-test-api', '1/1'))
      .on(['service', 'ps'], taskLine(TASK_B, 'Running', 'Running 3 seconds ago'));
    await expect(
      runFault(ecsServiceStable, { service: 'api' }, contextFor(testOutputs(), { ...clients, docker: () => docker })),
    ).resolves.toMatchObject({ stable: true, converged: true, orchestrator: 'swarm' });
    expect(ecsMock.calls()).toHaveLength(0);
  });
});

describe('ecs:service-events', () => {
  it('keeps the newest events, as ISO times and messages', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(
      service({ desired: 1, running: 1, pending: 0 }, [
        { id: 'e3', createdAt: new Date('2026-05-02T10:00:40Z'), message: '(service platform-test-api) has reached a steady state.' },
        {
          id: 'e2',
          createdAt: new Date('2026-05-02T10:00:20Z'),
          message: '(service platform-test-api) has started 1 tasks: (task 7c2e9a1b3d4f4e5a8b6c7d8e9f0a1b2c).',
        },
        { id: 'e1', createdAt: new Date('2026-05-02T09:00:00Z'), message: '(service platform-test-api) has reached a steady state.' },
      ]),
    );
    await expect(runFault(ecsServiceEvents, { service: 'api', limit: 2 }, aws())).resolves.toEqual({
      service: 'api',
      serviceName: 'platform-test-api',
      orchestrator: 'ecs',
      events: [
        { at: '2026-05-02T10:00:40.000Z', message: '(service platform-test-api) has reached a steady state.' },
        {
          at: '2026-05-02T10:00:20.000Z',
          message: '(service platform-test-api) has started 1 tasks: (task 7c2e9a1b3d4f4e5a8b6c7d8e9f0a1b2c).',
        },
      ],
    });
  });

  it('GIVEN the local target THEN the swarm task history stands in', async () => {
    const docker = new RecordedDocker().on(
      ['service', 'ps'],
      [taskLine(TASK_B, 'Running', 'Running 1 second ago'), taskLine(TASK_A, 'Shutdown', 'Complete 2 seconds ago')].join('\n'),
    );
    const result = await runFault(ecsServiceEvents, { service: 'api' }, contextFor(testOutputs(), { docker: () => docker }));
    expect(JSON.stringify(result)).toContain(`task ${TASK_A} (platform-test-api.1): Complete 2 seconds ago, desired Shutdown`);
  });
});

describe('ecs:drain-instance', () => {
  const arrange = (asgInstances: string[]) => {
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [CONTAINER_INSTANCE] });
    ecsMock.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [
        {
          containerInstanceArn: CONTAINER_INSTANCE,
          ec2InstanceId: 'i-0abc1234def567890',
          status: 'ACTIVE',
          agentConnected: true,
          runningTasksCount: 3,
          pendingTasksCount: 0,
        },
      ],
      failures: [],
    });
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'platform-test-asg',
          MinSize: 1,
          MaxSize: 1,
          DesiredCapacity: 1,
          DefaultCooldown: 300,
          AvailabilityZones: ['us-east-1a'],
          HealthCheckType: 'EC2',
          CreatedTime: new Date('2026-05-01T00:00:00Z'),
          Instances: asgInstances.map((id) => ({
            InstanceId: id,
            AvailabilityZone: 'us-east-1a',
            LifecycleState: 'InService',
            HealthStatus: 'Healthy',
            ProtectedFromScaleIn: false,
          })),
        },
      ],
    });
    ecsMock.on(UpdateContainerInstancesStateCommand).resolves({ containerInstances: [], failures: [] });
  };

  it("GIVEN the instance of the outputs' group THEN DRAINING, and the rollback sets it ACTIVE", async () => {
    arrange(['i-0abc1234def567890']);
    const ctx = aws();
    const result = await runFault(ecsDrainInstance, {}, ctx);
    expect(asgMock).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['platform-test-asg'] });
    expect(ecsMock).toHaveReceivedCommandWith(UpdateContainerInstancesStateCommand, {
      cluster: 'platform-test',
      containerInstances: [CONTAINER_INSTANCE],
      status: 'DRAINING',
    });
    await rollbackFault(ecsDrainInstance, {}, ctx, result);
    expect(ecsMock).toHaveReceivedNthSpecificCommandWith(2, UpdateContainerInstancesStateCommand, {
      cluster: 'platform-test',
      containerInstances: [CONTAINER_INSTANCE],
      status: 'ACTIVE',
    });
  });

  it('GIVEN revertAfterSeconds THEN it drains, waits, and sets ACTIVE again inside the action', async () => {
    arrange(['i-0abc1234def567890']);
    const slept: number[] = [];
    const ctx = { ...aws(), clock: { now: () => Date.now(), sleep: async (ms: number) => void slept.push(ms) } };
    await expect(runFault(ecsDrainInstance, { revertAfterSeconds: 30 }, ctx)).resolves.toMatchObject({
      status: 'ACTIVE',
      drainedForSeconds: 30,
    });
    expect(slept).toEqual([30_000]);
    expect(ecsMock).toHaveReceivedNthSpecificCommandWith(1, UpdateContainerInstancesStateCommand, { status: 'DRAINING' });
    expect(ecsMock).toHaveReceivedNthSpecificCommandWith(2, UpdateContainerInstancesStateCommand, { status: 'ACTIVE' });
  });

  it('GIVEN an interruption while drained THEN it sets ACTIVE before letting the interruption through', async () => {
    arrange(['i-0abc1234def567890']);
    const ctx = { ...aws(), clock: { now: () => Date.now(), sleep: async () => Promise.reject(new Error('interrupted by SIGINT')) } };
    await expect(runFault(ecsDrainInstance, { revertAfterSeconds: 30 }, ctx)).rejects.toThrow(/interrupted by SIGINT/);
    expect(ecsMock).toHaveReceivedNthSpecificCommandWith(2, UpdateContainerInstancesStateCommand, {
      containerInstances: [CONTAINER_INSTANCE],
      status: 'ACTIVE',
    });
  });

  it("GIVEN a container instance outside the outputs' group THEN the guard refuses before any change", async () => {
    arrange(['i-0fffffffffffffff0']);
    await expect(runFault(ecsDrainInstance, {}, aws())).rejects.toThrow(/refused outside the blast radius: instance i-0abc1234def567890/);
    expect(ecsMock).not.toHaveReceivedCommand(UpdateContainerInstancesStateCommand);
  });

  it('GIVEN the rollback cannot set it ACTIVE THEN the rollback fails loudly', async () => {
    ecsMock.on(UpdateContainerInstancesStateCommand).resolves({ failures: [{ arn: CONTAINER_INSTANCE, reason: 'MISSING' }] });
    await expect(
      rollbackFault(ecsDrainInstance, {}, aws(), {
        containerInstances: [{ containerInstanceArn: CONTAINER_INSTANCE, ec2InstanceId: 'i-0' }],
      }),
    ).rejects.toThrow(/could not set .* \(MISSING\) ACTIVE again/);
  });

  it('GIVEN the local target THEN it refuses with a reason', async () => {
    await expect(runFault(ecsDrainInstance, {}, contextFor(testOutputs(), clients))).rejects.toThrow(
      /not available on the local target: the rehearsal has one swarm node/,
    );
    expect(ecsMock.calls()).toHaveLength(0);
  });
});

describe('ecs:scale-service', () => {
  it('scales to the count asked, and the rollback restores the previous one', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(service({ desired: 1, running: 1, pending: 0 }));
    ecsMock.on(UpdateServiceCommand).resolves({});
    const ctx = aws();
    const result = await runFault(ecsScaleService, { service: 'api', desiredCount: 0 }, ctx);
    expect(result).toMatchObject({ previousDesiredCount: 1, desiredCount: 0 });
    expect(ecsMock).toHaveReceivedCommandWith(UpdateServiceCommand, {
      cluster: 'platform-test',
      service: 'platform-test-api',
      desiredCount: 0,
    });
    await rollbackFault(ecsScaleService, { service: 'api', desiredCount: 0 }, ctx, result);
    expect(ecsMock).toHaveReceivedNthSpecificCommandWith(2, UpdateServiceCommand, {
      cluster: 'platform-test',
      service: 'platform-test-api',
      desiredCount: 1,
    });
  });

  it('GIVEN a run result without the previous count THEN the rollback refuses to guess', async () => {
    await expect(rollbackFault(ecsScaleService, { service: 'api', desiredCount: 0 }, aws(), null)).rejects.toThrow(/nothing to restore/);
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });
});
