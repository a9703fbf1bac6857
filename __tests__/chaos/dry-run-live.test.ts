import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeContainerInstancesCommand, ECSClient, ListContainerInstancesCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { REPO, runCli } from './helpers/cli-harness';
import { outputsFor } from './helpers/outputs-fixture';
import { group } from './drivers/support/asg-recorded';

// The real client factories are used; these intercept every send the dry run could make.
const sts = mockClient(STSClient);
const ecs = mockClient(ECSClient);
const asg = mockClient(AutoScalingClient);
const all = [sts, ecs, asg, mockClient(EC2Client), mockClient(CloudWatchClient), mockClient(SSMClient)];

const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/platform-dev/0123456789abcdef0123456789abcdef';
const INSTANCE = 'i-0123456789abcdef0';
const CONTAINER_INSTANCE = 'arn:aws:ecs:eu-west-1:123456789012:container-instance/platform-dev/0123456789abcdef0123456789abcdef';
const AWS_OUTPUTS = join(REPO, '__tests__', 'chaos', 'fixtures', 'outputs-aws-default.json');
const experiment = (name: string): string => join(REPO, 'chaos', 'experiments', name);

let dir: string;
const live = (name: string, ...extra: string[]) => runCli(['run', experiment(name), '--outputs', AWS_OUTPUTS, ...extra], dir);

/** Every command any mocked client received, by name. */
const sent = (): string[] => all.flatMap((mock) => mock.calls().map((call) => String(call.args[0].constructor.name)));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-dry-live-'));
});
beforeEach(() => {
  for (const mock of all) mock.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
  ecs.on(ListTasksCommand).resolves({ taskArns: [TASK] });
  ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [CONTAINER_INSTANCE] });
  ecs
    .on(DescribeContainerInstancesCommand)
    .resolves({ containerInstances: [{ containerInstanceArn: CONTAINER_INSTANCE, ec2InstanceId: INSTANCE }] });
  asg.on(DescribeAutoScalingGroupsCommand).resolves(group([[INSTANCE, 'InService', 'Healthy']], 'platform-dev'));
});

describe('run --dry-run --live: the read-only live checks, nothing changed', () => {
  it('GIVEN stop-api-task on AWS outputs THEN the guard passes, the running tasks are listed, only reads are sent', async () => {
    const result = await live('stop-api-task.yaml', '--dry-run', '--live');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`   live: ecs:stop-task would stop one of 1 running task(s) of platform-dev-api: ${TASK}\n`);
    expect(result.stdout).toContain('dry run --live: the account guard passed (account 123456789012)');
    expect(sent()).toEqual(['GetCallerIdentityCommand', 'ListTasksCommand']);
    expect(ecs.commandCalls(ListTasksCommand)[0]?.args[0].input).toEqual({
      cluster: 'platform-dev',
      serviceName: 'platform-dev-api',
      desiredStatus: 'RUNNING',
    });
    // No journal, no lock file in the working directory.
    expect(await readdir(dir)).toEqual([]);
  });

  it('GIVEN terminate-instance THEN the InService instances of the group, DescribeAutoScalingGroups only', async () => {
    const result = await live('terminate-instance.yaml', '--dry-run', '--live');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(
      `   live: ec2:terminate-instance would terminate the first (or the named one) of 1 InService instance(s) of platform-dev: ${INSTANCE}\n`,
    );
    expect(sent()).toEqual(['GetCallerIdentityCommand', 'DescribeAutoScalingGroupsCommand']);
  });

  it('GIVEN a host fault over SSM THEN the container instance SSM would use, and no SendCommand', async () => {
    const result = await live('stop-proxy-ssh.yaml', '--dry-run', '--live');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      new RegExp(`   live: ssh:docker-\\w+ would docker \\w+ the container of platform-dev-proxy on instance ${INSTANCE} over SSM`),
    );
    expect(sent()).toEqual(['GetCallerIdentityCommand', 'ListContainerInstancesCommand', 'DescribeContainerInstancesCommand']);
  });

  it('GIVEN credentials in another account THEN exit 2, as a real run, and nothing else is asked', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '210987654321' });
    const result = await live('stop-api-task.yaml', '--dry-run', '--live');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('account guard: the credentials are in account 210987654321');
    expect(sent()).toEqual(['GetCallerIdentityCommand']);
  });

  it('GIVEN --live without --dry-run THEN a usage error (exit 2) and no call', async () => {
    const result = await live('stop-api-task.yaml', '--live', '--yes');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('chaos: --live is a kind of dry run (read-only checks, no fault): use it with --dry-run\n');
    expect(sent()).toEqual([]);
  });

  it('GIVEN --dry-run alone THEN no AWS call at all, and the skipped live checks said', async () => {
    const result = await live('stop-api-task.yaml', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('live:');
    expect(result.stdout).toContain('dry run: skipped the live checks');
    expect(sent()).toEqual([]);
  });

  it('GIVEN local outputs THEN it says the swarm has nothing live to check, and no AWS call', async () => {
    await writeFile(join(dir, 'outputs.json'), JSON.stringify(outputsFor('http://127.0.0.1:9')));
    const result = await runCli(['run', experiment('stop-api-task.yaml'), '--outputs', 'outputs.json', '--dry-run', '--live'], dir);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('   live: ecs:stop-task has nothing live to check on the local target (no read-only lookup here)\n');
    expect(result.stdout).toContain('dry run --live: no account guard (this target has no AWS APIs)');
    expect(sent()).toEqual([]);
  });
});
