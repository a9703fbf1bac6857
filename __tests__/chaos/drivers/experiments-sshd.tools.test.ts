/**
 * stop-api-task end to end through the real engine, with ECS mocked at the SDK boundary, a real
 * sshd, and loopback HTTP servers standing in for the proxy and the API. A tool test
 * (`*.tools.test.ts`): it runs in `npm run test:tools`, not in the tool-free unit suite.
 */
import 'aws-sdk-client-mock-jest';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_CATALOG } from '../../../chaos/drivers';
import { systemClock } from '../../../chaos/engine/clock';
import { runExperiment } from '../../../chaos/engine/runner';
import { bindTarget } from '../../../chaos/targets/bind-target';
import { loadExperiment } from '../../../chaos/model/load-experiment';
import type { PlatformOutputs } from '../../../contract/outputs';
import { REPO } from '../helpers/cli-harness';
import { noClients } from '../helpers/driver-context';
import { NEW_TASK, OLD_TASK, service, task } from './support/ecs-recorded';
import { awsOutputs } from './support/outputs';
import { sshdAvailable, TestSshd } from './support/test-sshd';

const EXPERIMENTS = join(REPO, 'chaos/experiments');

const describeWithSshd = sshdAvailable() ? describe : describe.skip;

describeWithSshd('stop-api-task end to end (ECS mocked, real sshd, loopback HTTP)', () => {
  const ecsMock = mockClient(ECSClient);
  let sshd: TestSshd;
  let proxy: Server;
  let api: Server;
  let instance = 'api-instance-1';
  const saved = { key: process.env.CHAOS_SSH_KEY, knownHosts: process.env.CHAOS_SSH_KNOWN_HOSTS };

  const listen = async (server: Server): Promise<number> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  };

  let outputs: PlatformOutputs;
  beforeAll(async () => {
    sshd = await TestSshd.start();
    process.env.CHAOS_SSH_KEY = sshd.privateKey;
    process.env.CHAOS_SSH_KNOWN_HOSTS = sshd.knownHosts;
    const status = (): string => JSON.stringify({ service: 'api', instance });
    api = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(status()));
    proxy = createServer((req, res) => {
      if (req.url === '/api/status') res.writeHead(200, { 'content-type': 'application/json' }).end(status());
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>frontend</html>');
    });
    const [apiPort, proxyPort] = [await listen(api), await listen(proxy)];
    const base = awsOutputs({ publicUrl: `http://127.0.0.1:${proxyPort}/`, sshHost: '127.0.0.1', sshPort: sshd.port, sshUser: sshd.user });
    outputs = { ...base, services: { ...base.services, api: { ...base.services.api, port: apiPort } } };
  });
  afterAll(async () => {
    process.env.CHAOS_SSH_KEY = saved.key;
    process.env.CHAOS_SSH_KNOWN_HOSTS = saved.knownHosts;
    if (saved.key === undefined) delete process.env.CHAOS_SSH_KEY;
    if (saved.knownHosts === undefined) delete process.env.CHAOS_SSH_KNOWN_HOSTS;
    await Promise.all([proxy, api].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    await sshd.stop();
  });

  it('GIVEN ECS replaces the task a moment after StopTask THEN the run completes, proving the old task STOPPED, a new one RUNNING and a new API instance', async () => {
    // The platform as ECS shows it: the old task until StopTask, then DEACTIVATING for a moment, then
    // STOPPED with a new task RUNNING (and a new API process answering).
    let phase: 'before' | 'stopping' | 'replaced' = 'before';
    const taskList = (): Task[] =>
      phase === 'before'
        ? [task(OLD_TASK, 'RUNNING')]
        : phase === 'stopping'
          ? [task(OLD_TASK, 'DEACTIVATING')]
          : [task(NEW_TASK, 'RUNNING'), task(OLD_TASK, 'STOPPED')];
    ecsMock.reset();
    ecsMock.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => {
      const answer = service({ desired: 1, running: 1, pending: 0 });
      return { ...answer, services: answer.services?.map((s) => ({ ...s, serviceName: input.services[0] })) };
    });
    ecsMock.on(ListTasksCommand).callsFake(() => ({
      taskArns: taskList()
        .filter((t) => t.desiredStatus === 'RUNNING')
        .map((t) => t.taskArn),
    }));
    ecsMock.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: taskList().filter((t) => input.tasks.includes(t.taskArn ?? '')),
      failures: [],
    }));
    ecsMock.on(StopTaskCommand).callsFake(() => {
      phase = 'stopping';
      setTimeout(() => {
        phase = 'replaced';
        instance = 'api-instance-2';
      }, 2000);
      return { task: task(OLD_TASK, 'RUNNING') };
    });

    const experiment = await loadExperiment('stop-api-task.yaml', join(EXPERIMENTS, 'stop-api-task.yaml'), {
      catalog: FAULT_CATALOG,
      env: {},
    });
    const dir = await mkdtemp(join(tmpdir(), 'chaos-e2e-'));
    const journal = await runExperiment(experiment, {
      outputs: { file: 'outputs.json', format: 'plain', stack: null, outputs },
      journalPath: join(dir, 'journal.json'),
      interrupt: new AbortController().signal,
      events: { emit: () => undefined },
      clock: systemClock,
      target: bindTarget(outputs, { clients: { ...noClients, ecs: () => new ECSClient({ region: 'us-east-1' }) } }),
      cwd: dir,
      processEnv: process.env,
    });

    expect(journal.reasons).toEqual([]);
    expect(journal.status).toBe('completed');
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, {
      cluster: 'platform-test',
      task: OLD_TASK,
      reason: 'chaos: stop-api-task experiment',
    });
    // While the old task was DEACTIVATING, "stable" was refused although ECS counted 1/1.
    const apiPolls = journal.steady_states.during.map((h) => h.probes.find((p) => p.activity.name === 'api-runs-as-desired')?.output);
    expect(apiPolls).toContainEqual(expect.objectContaining({ stable: false, stoppedTaskStatus: 'DEACTIVATING' }));
    const after = journal.steady_states.after?.probes ?? [];
    expect(after.find((p) => p.activity.name === 'api-runs-as-desired')?.output).toMatchObject({
      stable: true,
      stoppedTask: OLD_TASK,
      stoppedTaskStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      newTask: NEW_TASK,
    });
    expect(after.find((p) => p.activity.name === 'api-is-a-new-instance')?.output).toMatchObject({
      instance: 'api-instance-2',
      newInstance: true,
    });
    expect(journal.recovery).toMatchObject({ met: true, availability: 100 });
  }, 30_000);
});
