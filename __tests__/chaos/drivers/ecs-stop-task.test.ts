import 'aws-sdk-client-mock-jest';
import { ListTasksCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { ecsStopTask } from '../../../chaos/drivers/ecs/stop-task';
import { contextFor, runFault, targetFor } from './support/context';
import { mockEcsClients } from './support/ecs-mocks';
import { NEW_TASK, OLD_TASK, task } from './support/ecs-recorded';
import { awsOutputs, testOutputs } from './support/outputs';
import { CONTAINER_A, psLine, RecordedDocker, TASK_A } from './support/recorded-docker';

const { ecsMock, clients, aws } = mockEcsClients();

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
