/**
 * A frozen host cannot hold a run: `ssh:docker-stop` with a 2 s timeout, through the engine's
 * activity runner, against a real sshd whose docker never answers, whose session is frozen
 * (SIGSTOP) after the connection, or which is frozen before the handshake. Each ends with
 * "timed out after 2s" long before the fake docker (or ssh2's 10 s handshake limit) would have,
 * and leaves no SSH connection open, neither in this process nor in the kernel.
 */
import { FAULT_CATALOG } from '../../../chaos/drivers';
import { runActivity, type ActivityEnvironment } from '../../../chaos/engine/activity';
import { systemClock } from '../../../chaos/engine/clock';
import { createFaultRecord } from '../../../chaos/faults/fault-record';
import { parseExperimentDocument } from '../../../chaos/model/load-experiment';
import { bindTarget } from '../../../chaos/targets/bind-target';
import { noClients } from '../helpers/driver-context';
import { until } from '../helpers/processes';
import { keys, outputs, sshd, useTestSshd } from './support/sshd-suite';
import { sshdAvailable } from './support/test-sshd';

const describeWithSshd = sshdAvailable() ? describe : describe.skip;

/** ssh2 gives up on a handshake after connectTimeoutMs (10 s by default): the 2 s timeout must end it first. */
const HANDSHAKE_LIMIT_MS = 10_000;

const tcpSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

async function stopApiWithin(seconds: number) {
  const experiment = parseExperimentDocument(
    {
      title: 'Frozen host',
      description: 'd',
      method: [
        {
          type: 'action',
          name: 'stop-api',
          provider: { type: 'fault', id: 'ssh:docker-stop', arguments: { service: 'api', ...keys }, timeout: seconds },
        },
      ],
    },
    'exp.yaml',
    { catalog: FAULT_CATALOG, env: {} },
  );
  const env: ActivityEnvironment = {
    outputs,
    target: bindTarget(outputs, { clients: noClients }),
    record: createFaultRecord(),
    clock: systemClock,
    events: { emit: () => undefined },
    cwd: process.cwd(),
    processEnv: process.env,
    secrets: [],
    activityTimeout: experiment.activityTimeout,
  };
  const activity = experiment.method[0];
  if (activity === undefined) throw new Error('no activity');
  const started = Date.now();
  const outcome = await runActivity(activity, 'method', env, new AbortController().signal);
  return { outcome, elapsedMs: Date.now() - started };
}

describeWithSshd('ssh:docker-stop against a frozen host, with a 2 s timeout', () => {
  useTestSshd();

  const expectTimedOutAndClosed = async (result: Awaited<ReturnType<typeof stopApiWithin>>, socketsBefore: number) => {
    expect(result.outcome.run).toMatchObject({ status: 'failed', exception: ['ActivityFailedError: timed out after 2s'] });
    expect(result.outcome.abortWith).toBeNull();
    expect(result.elapsedMs).toBeGreaterThanOrEqual(1900);
    expect(result.elapsedMs).toBeLessThan(HANDSHAKE_LIMIT_MS);
    // Destroyed, not merely abandoned: this process holds no socket, and the kernel no established connection.
    expect(tcpSockets()).toBe(socketsBefore);
    expect(await sshd.clientConnections()).toBe(0);
  };

  it('GIVEN docker on the host never answers (a frozen engine) THEN the channel and the connection are destroyed at 2 s', async () => {
    await sshd.dockerHangs(true);
    const before = tcpSockets();
    const result = await stopApiWithin(2);
    await expectTimedOutAndClosed(result, before);
    expect((await sshd.dockerCalls()).map((c) => c[0])).toEqual(['ps']);
  });

  it('GIVEN the sshd freezes (SIGSTOP) once the command runs THEN the connection is destroyed at 2 s', async () => {
    await sshd.freezeOnDocker(true);
    const before = tcpSockets();
    const result = await stopApiWithin(2);
    await expectTimedOutAndClosed(result, before);
    // The session and the listener at least: nothing on the host side could answer.
    expect((await sshd.frozen()).length).toBeGreaterThanOrEqual(2);
  });

  it('GIVEN the sshd is frozen before the handshake THEN connecting is abandoned at 2 s, before ssh2 would give up', async () => {
    sshd.freezeListener();
    const before = tcpSockets();
    const result = await stopApiWithin(2);
    await expectTimedOutAndClosed(result, before);
  });

  it('GIVEN a thawed sshd THEN the same fault works again (nothing was left behind)', async () => {
    const result = await stopApiWithin(2);
    expect(result.outcome.run.status).toBe('succeeded');
    await until(async () => (await sshd.clientConnections()) === 0, 2000, 'the connection closed after the work');
  });
});
