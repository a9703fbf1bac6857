import 'aws-sdk-client-mock-jest';
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { ecsServiceEvents } from '../../../chaos/drivers/ecs/service-events';
import { ecsServiceStable } from '../../../chaos/drivers/ecs/service-stable';
import { ecsStopTask } from '../../../chaos/drivers/ecs/stop-task';
import { ActivityFailedError } from '../../../chaos/errors';
import { contextFor, runFault } from './support/context';
import { mockEcsClients } from './support/ecs-mocks';
import { MISSING_SERVICE, NEW_TASK, OLD_TASK, service, task, tasks } from './support/ecs-recorded';
import { testOutputs } from './support/outputs';
import { RecordedDocker, serviceLine, TASK_A, TASK_B, taskLine } from './support/recorded-docker';

const { ecsMock, clients, aws } = mockEcsClients();

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
