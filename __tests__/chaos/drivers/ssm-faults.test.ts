import 'aws-sdk-client-mock-jest';
import { DescribeContainerInstancesCommand, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { curlWords } from '../../../chaos/adapters/ssm/ssm-host-access';
import { sshContainerRunning } from '../../../chaos/drivers/ssh/container-running';
import { sshDockerKill } from '../../../chaos/drivers/ssh/docker-kill';
import { sshDockerStop } from '../../../chaos/drivers/ssh/docker-stop';
import { sshHttpGet } from '../../../chaos/drivers/ssh/http-get';
import { UsageError } from '../../../chaos/errors';
import { commandLine } from '../../../chaos/faults/command-words';
import { bindTarget } from '../../../chaos/targets/bind-target';
import { noClients } from '../helpers/driver-context';
import { HOST_CONTAINER } from '../helpers/recording-host';
import { runFault } from './support/context';
import { CONTAINER_INSTANCE } from './support/ecs-recorded';
import { awsOutputs, testOutputs } from './support/outputs';
import { INSTANCE, invocation, mockSsmHost } from './support/ssm-mocks';

const host = mockSsmHost();
const PS =
  "docker ps --filter label=com.amazonaws.ecs.container-name=api --filter label=com.amazonaws.ecs.task-definition-family=platform-test-api --format '{{.ID}} {{.Names}}'";
const STARTED = '2026-05-01T10:00:00.123456789Z';

/** The host as docker answers on it: one running api container. */
function dockerHost(line: string) {
  if (line.startsWith('docker ps')) return invocation('Success', { stdout: `${HOST_CONTAINER} ecs-platform-test-api-1-api\n` });
  if (line.startsWith('docker inspect')) return invocation('Success', { stdout: `${STARTED}\n` });
  return invocation('Success');
}

describe('host faults over SSM', () => {
  it('ssh:docker-stop sends the same quoted words as over SSH, to the instance ECS names for the cluster', async () => {
    host.answer(dockerHost);
    const result = await runFault(sshDockerStop, { service: 'api' }, host.context());
    expect(host.ecsMock).toHaveReceivedCommandWith(ListContainerInstancesCommand, { cluster: 'platform-test', status: 'ACTIVE' });
    expect(host.ecsMock).toHaveReceivedCommandWith(DescribeContainerInstancesCommand, {
      cluster: 'platform-test',
      containerInstances: [CONTAINER_INSTANCE],
    });
    expect(host.ssmMock).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: [INSTANCE],
      Parameters: { commands: [PS], executionTimeout: ['10'] },
    });
    expect(host.sent).toEqual([
      PS,
      `docker inspect --type container --format '{{.State.StartedAt}}' ${HOST_CONTAINER}`,
      `docker stop ${HOST_CONTAINER}`,
    ]);
    expect(result).toMatchObject({ stoppedContainer: HOST_CONTAINER, host: 'the container instance of cluster platform-test' });
  });

  it('a non-zero exit on the host fails the activity with its status and stderr', async () => {
    host.answer((line) =>
      line.startsWith('docker kill')
        ? invocation('Failed', { code: 1, stderr: 'Error response from daemon: cannot kill\n' })
        : dockerHost(line),
    );
    await expect(runFault(sshDockerKill, { service: 'api' }, host.context())).rejects.toThrow(
      `"docker kill --signal SIGKILL ${HOST_CONTAINER}" exited with 1: Error response from daemon: cannot kill`,
    );
  });

  it.each(['api; rm -rf /', '$(reboot)', '`id`', "api'x", 'api x', '-api'])(
    'a hostile container name %j is refused before ECS or SSM is asked anything',
    async (hostile) => {
      const good = awsOutputs({ hostAccess: 'ssm' });
      const poisoned = { ...good, services: { ...good.services, api: { ...good.services.api, containerName: hostile } } };
      await expect(runFault(sshDockerStop, { service: 'api' }, host.context(poisoned))).rejects.toThrow(/refused container name/);
      expect(host.ecsMock.calls()).toHaveLength(0);
      expect(host.ssmMock.calls()).toHaveLength(0);
    },
  );

  it.each<[string, string, string, RegExp]>([
    [
      'of another cluster',
      CONTAINER_INSTANCE.replace('/platform-test/', '/payments/'),
      INSTANCE,
      /refused outside the blast radius: instance i-0a1b2c3d4e5f60718 is a container instance of "payments", not of the outputs' cluster "platform-test"/,
    ],
    [
      'whose ARN names no cluster',
      'arn:aws:ecs:us-east-1:123456789012:container-instance/5d2c9f1e',
      INSTANCE,
      /refused outside the blast radius/,
    ],
    ['with an instance id that is not one', CONTAINER_INSTANCE, "i-0a1b'; reboot", /refused container instance .*its EC2 instance id/],
  ])('an instance %s is refused, and no command is sent', async (_case, containerInstanceArn, ec2InstanceId, refused) => {
    host.ecsMock.on(DescribeContainerInstancesCommand).resolves({ containerInstances: [{ containerInstanceArn, ec2InstanceId }] });
    await expect(runFault(sshContainerRunning, { service: 'api' }, host.context())).rejects.toThrow(refused);
    expect(host.ssmMock).not.toHaveReceivedCommand(SendCommandCommand);
  });

  it('no container instance, or two, is refused: host commands need exactly one', async () => {
    host.ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    await expect(runFault(sshContainerRunning, { service: 'api' }, host.context())).rejects.toThrow(/has no ACTIVE container instance/);
    host.ecsMock
      .on(ListContainerInstancesCommand)
      .resolves({ containerInstanceArns: [CONTAINER_INSTANCE, `${CONTAINER_INSTANCE.slice(0, -1)}0`] });
    host.ecsMock.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [
        { containerInstanceArn: CONTAINER_INSTANCE, ec2InstanceId: INSTANCE },
        { containerInstanceArn: `${CONTAINER_INSTANCE.slice(0, -1)}0`, ec2InstanceId: 'i-0fedcba9876543210' },
      ],
    });
    await expect(runFault(sshContainerRunning, { service: 'api' }, host.context())).rejects.toThrow(/has 2 ACTIVE container instances/);
    expect(host.ssmMock).not.toHaveReceivedCommand(SendCommandCommand);
  });
});

describe('ssh:http-get over SSM: curl on the host', () => {
  it('GETs the loopback with curl and reads the status after the body', async () => {
    host.answer(() => invocation('Success', { stdout: '{"instance":"api-1"}\nchaos-http-status:200' }));
    const result = await runFault(sshHttpGet, { service: 'api', path: '/api/status' }, host.context());
    expect(result).toMatchObject({ status: 200, instance: 'api-1', url: 'http://127.0.0.1:8080/api/status' });
    expect(host.sent).toEqual([
      "curl --silent --show-error --globoff --max-time 5 --max-filesize 1048576 --write-out '\\nchaos-http-status:%{http_code}' http://127.0.0.1:8080/api/status",
    ]);
  });

  it('quotes a path the shell would otherwise read', () => {
    expect(commandLine(curlWords({ port: 8080, path: "/a'b;$(id)", timeoutMs: 2500 }))).toMatch(
      /--max-time 2\.5 .* 'http:\/\/127\.0\.0\.1:8080\/a'\\''b;\$\(id\)'$/,
    );
  });

  it('another status fails the probe; no answer (curl exits 7) fails it naming curl', async () => {
    host.answer(() => invocation('Success', { stdout: 'down\nchaos-http-status:503' }));
    await expect(runFault(sshHttpGet, { service: 'api' }, host.context())).rejects.toThrow(/answered 503, expected 200/);
    host.answer(() =>
      invocation('Failed', { code: 7, stdout: '\nchaos-http-status:000', stderr: 'curl: (7) Failed to connect to 127.0.0.1 port 8080\n' }),
    );
    await expect(runFault(sshHttpGet, { service: 'api' }, host.context())).rejects.toThrow(
      /GET http:\/\/127\.0\.0\.1:8080\/healthz on i-0a1b2c3d4e5f60718 \(over SSM\) failed: curl: \(7\) Failed to connect/,
    );
  });
});

describe('choosing the host access', () => {
  it.each<['ssm' | 'ssh', 'ssm' | 'ssh' | undefined, string]>([
    ['ssm', undefined, 'ssm'],
    ['ssh', undefined, 'ssh'],
    ['ssm', 'ssh', 'ssh'],
    ['ssh', 'ssm', 'ssm'],
  ])('outputs saying %s with --host-access %s bind %s', (outputs, flag, bound) => {
    expect(bindTarget(awsOutputs({ hostAccess: outputs }), { clients: noClients, hostAccess: flag }).adapters).toMatchObject({
      host: bound,
    });
  });

  it('the local target has no SSM', () => {
    expect(() => bindTarget(testOutputs(), { clients: noClients, hostAccess: 'ssm' })).toThrow(UsageError);
    expect(bindTarget(testOutputs(), { clients: noClients, hostAccess: 'ssh' }).adapters).toMatchObject({ host: 'ssh' });
  });
});
