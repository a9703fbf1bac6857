import 'aws-sdk-client-mock-jest';
import { CancelCommandCommand, GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { runOverSsm } from '../../../chaos/adapters/ssm/ssm-command';
import { ActivityFailedError } from '../../../chaos/errors';
import { INSTANCE, invocation, mockSsmHost } from './support/ssm-mocks';

const host = mockSsmHost();
const ssm = () => host.clients.ssm();
const never = new AbortController().signal;

describe('a command over SSM Run Command', () => {
  it('sends the words as one single-quoted line to AWS-RunShellScript on the instance', async () => {
    await runOverSsm(ssm(), INSTANCE, ['docker', 'ps', '--format', '{{.ID}} {{.Names}}'], host.settings(), never);
    expect(host.ssmMock).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: [INSTANCE],
      Parameters: { commands: ["docker ps --format '{{.ID}} {{.Names}}'"], executionTimeout: ['10'] },
    });
  });

  it('polls while Pending, InProgress or Delayed (and before the invocation exists), then returns the Success', async () => {
    const notYet = Object.assign(new Error('not yet'), { name: 'InvocationDoesNotExist' });
    host.ssmMock
      .on(GetCommandInvocationCommand)
      .rejectsOnce(notYet)
      .resolvesOnce(invocation('Pending'))
      .resolvesOnce(invocation('InProgress'))
      .resolvesOnce(invocation('Delayed'))
      .resolves(invocation('Success', { stdout: 'bc6b942c569c api\n' }));
    const result = await runOverSsm(ssm(), INSTANCE, ['docker', 'ps'], host.settings(), never);
    expect(result).toEqual({ command: 'docker ps', code: 0, stdout: 'bc6b942c569c api\n', stderr: '' });
    expect(host.ssmMock).toHaveReceivedCommandTimes(GetCommandInvocationCommand, 5);
    expect(host.clock.slept).toEqual([500, 500, 500, 500]);
  });

  it('surfaces a Failed command with its exit status and output', async () => {
    host.answer(() => invocation('Failed', { code: 125, stderr: 'Error response from daemon: No such container\n' }));
    const result = await runOverSsm(ssm(), INSTANCE, ['docker', 'stop', 'bc6b942c569c'], host.settings(), never);
    expect(result).toEqual({
      command: 'docker stop bc6b942c569c',
      code: 125,
      stdout: '',
      stderr: 'Error response from daemon: No such container\n',
    });
  });

  it.each(['TimedOut', 'Cancelled'] as const)('a command %s on the instance has no exit status, and says why', async (status) => {
    host.answer(() => invocation(status, { details: status === 'TimedOut' ? 'DeliveryTimedOut' : 'Cancelled' }));
    const result = await runOverSsm(ssm(), INSTANCE, ['docker', 'ps'], host.settings(), never);
    expect(result.code).toBeNull();
    expect(result.stderr).toMatch(new RegExp(`^SSM command ${status} \\(`));
  });

  it('a Failed invocation never reads as exit 0', async () => {
    host.answer(() => invocation('Failed', { code: 0 }));
    expect((await runOverSsm(ssm(), INSTANCE, ['true'], host.settings(), never)).code).toBeNull();
  });

  it('gives up after the activity timeout, cancelling the command', async () => {
    host.answer(() => invocation('InProgress'));
    await expect(runOverSsm(ssm(), INSTANCE, ['docker', 'ps'], host.settings(), never)).rejects.toThrow(
      new ActivityFailedError(`SSM: "docker ps" on ${INSTANCE} gave no result within 10000 ms (last InProgress)`),
    );
    expect(host.clock.slept.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(host.ssmMock).toHaveReceivedCommandWith(CancelCommandCommand, { CommandId: 'cmd-1', InstanceIds: [INSTANCE] });
  });

  it('an abort stops the polling at once and cancels the command', async () => {
    const controller = new AbortController();
    let polls = 0;
    host.answer(() => {
      polls += 1;
      if (polls === 2) controller.abort(new Error('interrupted'));
      return invocation('InProgress');
    });
    await expect(runOverSsm(ssm(), INSTANCE, ['docker', 'ps'], host.settings(), controller.signal)).rejects.toThrow('interrupted');
    expect(polls).toBe(2);
    expect(host.ssmMock).toHaveReceivedCommandTimes(GetCommandInvocationCommand, 2);
    expect(host.ssmMock).toHaveReceivedCommandWith(CancelCommandCommand, { CommandId: 'cmd-1' });
  });

  it('an already aborted signal sends nothing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('halted'));
    await expect(runOverSsm(ssm(), INSTANCE, ['docker', 'ps'], host.settings(), controller.signal)).rejects.toThrow();
    expect(host.ssmMock).not.toHaveReceivedCommand(SendCommandCommand);
  });
});
