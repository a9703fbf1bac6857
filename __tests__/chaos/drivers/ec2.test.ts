import 'aws-sdk-client-mock-jest';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  type DescribeAutoScalingGroupsCommandOutput,
} from '@aws-sdk/client-auto-scaling';
import { EC2Client, RebootInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeContainerInstancesCommand, ECSClient, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { asgGroupHealthy } from '../../../chaos/drivers/asg/group-healthy';
import { ec2RebootInstance } from '../../../chaos/drivers/ec2/reboot-instance';
import { ec2TerminateInstance } from '../../../chaos/drivers/ec2/terminate-instance';
import { group } from './support/asg-recorded';
import { contextFor, runFault, targetFor } from './support/context';
import { CONTAINER_INSTANCE } from './support/ecs-recorded';
import { awsOutputs, testOutputs } from './support/outputs';

const ec2Mock = mockClient(EC2Client);
const asgMock = mockClient(AutoScalingClient);
const ecsMock = mockClient(ECSClient);
const clients = {
  ec2: () => new EC2Client({ region: 'us-east-1' }),
  ecs: () => new ECSClient({ region: 'us-east-1' }),
  autoScaling: () => new AutoScalingClient({ region: 'us-east-1' }),
};
const OLD = 'i-0abc1234def567890';
const NEW = 'i-0123456789abcdef0';

function registered(instances: [id: string, agentConnected: boolean][]): void {
  ecsMock
    .on(ListContainerInstancesCommand)
    .resolves({ containerInstanceArns: instances.map((_, i) => `${CONTAINER_INSTANCE.slice(0, -1)}${i}`) });
  ecsMock.on(DescribeContainerInstancesCommand).resolves({
    containerInstances: instances.map(([ec2InstanceId, agentConnected], i) => ({
      containerInstanceArn: `${CONTAINER_INSTANCE.slice(0, -1)}${i}`,
      ec2InstanceId,
      status: 'ACTIVE',
      agentConnected,
      runningTasksCount: 3,
    })),
    failures: [],
  });
}

const aws = (): ReturnType<typeof contextFor> => contextFor(awsOutputs(), clients);

beforeEach(() => {
  ec2Mock.reset();
  asgMock.reset();
  ecsMock.reset();
});

describe('ec2 fault arguments and plans', () => {
  it.each([ec2RebootInstance, ec2TerminateInstance, asgGroupHealthy])(
    '$id takes no arguments (the instance comes from the group)',
    (fault) => {
      expect(fault.bind({}).ok).toBe(true);
      expect(fault.bind({ instanceId: OLD }).ok).toBe(false);
    },
  );

  it('terminating and rebooting need --yes; the probe does not', () => {
    expect([ec2RebootInstance.destructive, ec2TerminateInstance.destructive, asgGroupHealthy.destructive]).toEqual([true, true, false]);
  });

  it('describes the plan from the outputs', () => {
    const bound = ec2TerminateInstance.bind({});
    if (!bound.ok) throw new Error('bad arguments');
    expect(bound.bound.describe(targetFor(awsOutputs()))).toBe(
      'EC2 TerminateInstances for the first InService instance of platform-test-asg (looked up at run time)',
    );
    expect(bound.bound.targets(awsOutputs())).toEqual([{ kind: 'asg', asg: 'platform-test-asg' }]);
  });
});

describe('ec2:terminate-instance and ec2:reboot-instance', () => {
  it("GIVEN the group's InService instance THEN it terminates exactly that one and records it", async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves(group([[OLD, 'InService', 'Healthy']]));
    ec2Mock.on(TerminateInstancesCommand).resolves({
      TerminatingInstances: [
        { InstanceId: OLD, PreviousState: { Code: 16, Name: 'running' }, CurrentState: { Code: 32, Name: 'shutting-down' } },
      ],
    });
    const ctx = aws();
    await expect(runFault(ec2TerminateInstance, {}, ctx)).resolves.toMatchObject({
      asg: 'platform-test-asg',
      terminated: [{ instanceId: OLD, previousState: 'running', currentState: 'shutting-down' }],
    });
    expect(asgMock).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, { AutoScalingGroupNames: ['platform-test-asg'] });
    expect(ec2Mock).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: [OLD] });
    expect(ctx.record.lastStopped('instance', 'ec2-instance')).toMatchObject({ id: OLD });
  });

  it('skips instances that are not InService, and reboots the one that is', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves(
      group([
        [NEW, 'Pending', 'Healthy'],
        [OLD, 'InService', 'Healthy'],
      ]),
    );
    ec2Mock.on(RebootInstancesCommand).resolves({});
    await expect(runFault(ec2RebootInstance, {}, aws())).resolves.toMatchObject({ rebooted: [OLD] });
    expect(ec2Mock).toHaveReceivedCommandWith(RebootInstancesCommand, { InstanceIds: [OLD] });
  });

  it.each<[string, DescribeAutoScalingGroupsCommandOutput, RegExp]>([
    ['an empty group', group([]), /has no InService instance/],
    ['no such group', { $metadata: {}, AutoScalingGroups: [] }, /Auto Scaling group platform-test-asg does not exist/],
    ['a group of another name answering', group([[OLD, 'InService', 'Healthy']], 'someone-elses-asg'), /does not exist/],
  ])('GIVEN %s THEN nothing is terminated', async (_name, answer, message) => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves(answer);
    await expect(runFault(ec2TerminateInstance, {}, aws())).rejects.toThrow(message);
    expect(ec2Mock).not.toHaveReceivedCommand(TerminateInstancesCommand);
  });

  it('passes every instance through the blast-radius guard before acting', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves(group([[OLD, 'InService', 'Healthy']]));
    const ctx = {
      ...aws(),
      guard: () => {
        throw new Error('guard refused');
      },
    };
    await expect(runFault(ec2TerminateInstance, {}, ctx)).rejects.toThrow(/guard refused/);
    expect(ec2Mock).not.toHaveReceivedCommand(TerminateInstancesCommand);
  });

  it('GIVEN the local target THEN it refuses without calling AWS', async () => {
    await expect(runFault(ec2TerminateInstance, {}, contextFor(testOutputs(), clients))).rejects.toThrow(
      /not available on the local target/,
    );
    expect(asgMock.calls()).toHaveLength(0);
  });
});

describe('asg:group-healthy', () => {
  it('GIVEN one InService, Healthy instance registered ACTIVE THEN healthy', async () => {
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves(group([[OLD, 'InService', 'Healthy']]));
    registered([[OLD, true]]);
    await expect(runFault(asgGroupHealthy, {}, aws())).resolves.toEqual({
      asg: 'platform-test-asg',
      healthy: true,
      desired: 1,
      inService: [OLD],
      containerInstances: [{ ec2InstanceId: OLD, status: 'ACTIVE', agentConnected: true }],
    });
    expect(ecsMock).toHaveReceivedCommandWith(ListContainerInstancesCommand, { cluster: 'platform-test', status: 'ACTIVE' });
  });

  it('GIVEN a terminated instance THEN healthy only once a new instance is InService and registered', async () => {
    const ctx = aws();
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves(group([[OLD, 'InService', 'Healthy']]));
    ec2Mock.on(TerminateInstancesCommand).resolves({ TerminatingInstances: [{ InstanceId: OLD }] });
    await runFault(ec2TerminateInstance, {}, ctx);

    registered([[OLD, true]]);
    await expect(runFault(asgGroupHealthy, {}, ctx)).resolves.toMatchObject({
      healthy: false,
      reason: `the terminated instance ${OLD} is still InService`,
    });

    asgMock.on(DescribeAutoScalingGroupsCommand).resolves(
      group([
        [OLD, 'Terminating', 'Unhealthy'],
        [NEW, 'Pending', 'Healthy'],
      ]),
    );
    registered([]);
    await expect(runFault(asgGroupHealthy, {}, ctx)).resolves.toMatchObject({
      healthy: false,
      reason: '0 of 1 instances InService and Healthy',
    });

    asgMock.on(DescribeAutoScalingGroupsCommand).resolves(group([[NEW, 'InService', 'Healthy']]));
    registered([[NEW, false]]);
    await expect(runFault(asgGroupHealthy, {}, ctx)).resolves.toMatchObject({
      healthy: false,
      reason: `not yet an ACTIVE container instance of platform-test: ${NEW}`,
    });

    registered([[NEW, true]]);
    await expect(runFault(asgGroupHealthy, {}, ctx)).resolves.toMatchObject({ healthy: true, inService: [NEW], terminatedInstance: OLD });
  });
});
