import 'aws-sdk-client-mock-jest';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  ListContainerInstancesCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { ecsDrainInstance } from '../../../chaos/drivers/ecs/drain-instance';
import { ecsScaleService } from '../../../chaos/drivers/ecs/scale-service';
import { group, type Member } from './support/asg-recorded';
import { contextFor, rollbackFault, runFault } from './support/context';
import { mockEcsClients } from './support/ecs-mocks';
import { CONTAINER_INSTANCE, service } from './support/ecs-recorded';
import { testOutputs } from './support/outputs';

const { ecsMock, asgMock, clients, aws } = mockEcsClients();

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
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves(group(asgInstances.map((id): Member => [id, 'InService', 'Healthy'])));
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
      /not available on the local target: the outputs are of the single-node rehearsal .*--nodes 3/,
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
