import { swarmServiceConverged } from '../../../chaos/drivers/swarm/service-converged';
import { swarmStopTask } from '../../../chaos/drivers/swarm/stop-task';
import { parseReplicas, parseServiceTasks } from '../../../chaos/adapters/swarm/swarm-state';
import { localDockerCli } from '../../../chaos/adapters/swarm/docker-cli';
import { bindTarget } from '../../../chaos/targets/bind-target';
import { noClients } from '../helpers/driver-context';
import { outputsFor } from '../helpers/outputs-fixture';
import { ActivityFailedError } from '../../../chaos/errors';
import { contextFor, runFault } from './support/context';
import { awsOutputs, testOutputs } from './support/outputs';
import { CONTAINER_A, CONTAINER_B, psLine, RecordedDocker, serviceLine, TASK_A, TASK_B, taskLine } from './support/recorded-docker';

const PS = [
  'ps',
  '--no-trunc',
  '--filter',
  'label=com.docker.swarm.service.name=platform-test-api',
  '--format',
  '{{.ID}} {{.Names}} {{.Label "com.docker.swarm.task.id"}}',
];
const SERVICE_PS = ['service', 'ps', '--no-trunc', '--format', '{{json .}}', 'platform-test-api'];
const SERVICE_LS = ['service', 'ls', '--filter', 'name=platform-test-api', '--format', '{{json .}}'];

describe('swarm fault arguments', () => {
  it.each<[string, unknown, boolean]>([
    ['a service', { service: 'api' }, true],
    ['a named task and a reason', { service: 'proxy', task: TASK_A, reason: 'game day' }, true],
    ['a task id in the wrong form', { service: 'api', task: 'abc' }, false],
    ['a task id carrying an option', { service: 'api', task: '--all' }, false],
    ['an empty reason', { service: 'api', reason: '' }, false],
    ['an unknown service', { service: 'db' }, false],
  ])('swarm:stop-task with %s', (_name, args, valid) => {
    expect(swarmStopTask.bind(args).ok).toBe(valid);
  });

  it('swarm:service-converged takes a service', () => {
    expect(swarmServiceConverged.bind({ service: 'api' }).ok).toBe(true);
    expect(swarmServiceConverged.bind({ service: 'api', x: 1 }).ok).toBe(false);
  });
});

describe('swarm:stop-task', () => {
  it("GIVEN one running task THEN it stops that task's container by full id, exactly by label, and records the task", async () => {
    const docker = new RecordedDocker().on(['ps'], psLine(CONTAINER_A, TASK_A)).on(['stop'], CONTAINER_A);
    const ctx = contextFor(testOutputs(), { docker: () => docker });
    const result = await runFault(swarmStopTask, { service: 'api', reason: 'game day' }, ctx);
    expect(docker.calls).toEqual([PS, ['stop', CONTAINER_A]]);
    expect(result).toMatchObject({
      serviceName: 'platform-test-api',
      stoppedTask: TASK_A,
      stoppedContainer: CONTAINER_A,
      reason: 'game day',
      engine: 'unix:///recorded.sock',
    });
    expect(ctx.record.lastStopped('api', 'swarm-task')).toMatchObject({ id: TASK_A, fault: 'swarm:stop-task' });
  });

  it('GIVEN a named task THEN it stops that one', async () => {
    const docker = new RecordedDocker()
      .on(['ps'], [psLine(CONTAINER_A, TASK_A), psLine(CONTAINER_B, TASK_B)].join('\n'))
      .on(['stop'], CONTAINER_B);
    await runFault(swarmStopTask, { service: 'api', task: TASK_B }, contextFor(testOutputs(), { docker: () => docker }));
    expect(docker.calls[1]).toEqual(['stop', CONTAINER_B]);
  });

  it.each<[string, string, object, RegExp]>([
    ['no running task', '', {}, /has no running task to stop/],
    [
      'a named task that does not run',
      psLine(CONTAINER_A, TASK_A),
      { task: TASK_B },
      /task k3c0.* is not running in platform-test-api \(running: inamp/,
    ],
    ['output that is not docker ps', 'Cannot connect', {}, /unexpected line from docker ps/],
  ])('GIVEN %s THEN it fails and stops nothing', async (_name, stdout, extra, message) => {
    const docker = new RecordedDocker().on(['ps'], stdout);
    await expect(
      runFault(swarmStopTask, { service: 'api', ...extra }, contextFor(testOutputs(), { docker: () => docker })),
    ).rejects.toThrow(message);
    expect(docker.calls.map((c) => c[0])).toEqual(['ps']);
  });

  it('GIVEN the engine does not answer THEN the error names DOCKER_HOST', async () => {
    const docker = new RecordedDocker().on(
      ['ps'],
      '',
      1,
      'Cannot connect to the Docker daemon at unix:///recorded.sock. Is the docker daemon running?\n',
    );
    await expect(runFault(swarmStopTask, { service: 'api' }, contextFor(testOutputs(), { docker: () => docker }))).rejects.toThrow(
      /docker ps failed \(exit 1, DOCKER_HOST=unix:\/\/\/recorded.sock\): Cannot connect/,
    );
  });

  it('GIVEN aws outputs THEN it refuses, pointing at the ECS modules', async () => {
    const docker = new RecordedDocker();
    await expect(runFault(swarmStopTask, { service: 'api' }, contextFor(awsOutputs(), { docker: () => docker }))).rejects.toThrow(
      /local rehearsal's swarm.*use ecs:stop-task/,
    );
    expect(docker.calls).toEqual([]);
  });

  it('GIVEN a hostile service name in the outputs THEN it refuses before calling docker', async () => {
    const outputs = testOutputs();
    const docker = new RecordedDocker();
    const poisoned = { ...outputs, services: { ...outputs.services, api: { ...outputs.services.api, serviceName: '--all' } } };
    await expect(runFault(swarmStopTask, { service: 'api' }, contextFor(poisoned, { docker: () => docker }))).rejects.toThrow(
      /refused swarm service name "--all"/,
    );
    expect(docker.calls).toEqual([]);
  });
});

describe('swarm:service-converged', () => {
  const converged = (docker: RecordedDocker, ctx = contextFor(testOutputs(), { docker: () => docker })) =>
    runFault(swarmServiceConverged, { service: 'api' }, ctx);

  it('GIVEN 1/1 and one running task THEN converged, picking the service named exactly among prefix matches', async () => {
    const docker = new RecordedDocker()
      .on(['service', 'ls'], [serviceLine('platform-test-api-canary', '0/1'), serviceLine('platform-test-api', '1/1')].join('\n'))
      .on(['service', 'ps'], taskLine(TASK_A, 'Running', 'Running 2 minutes ago'));
    await expect(converged(docker)).resolves.toEqual({
      service: 'api',
      serviceName: 'platform-test-api',
      converged: true,
      desired: 1,
      running: 1,
      pending: 0,
      runningTasks: [TASK_A],
    });
    expect(docker.calls).toEqual([SERVICE_LS, SERVICE_PS]);
  });

  it.each<[string, string, string[], RegExp]>([
    [
      'no task running',
      '0/1',
      [
        taskLine(TASK_B, 'Running', 'Assigned less than a second ago'),
        taskLine(TASK_A, 'Shutdown', 'Failed 1 second ago', '"task: non-zero exit (2)"'),
      ],
      /0 of 1 tasks running; 1 pending \(Assigned less than a second ago\)/,
    ],
    [
      'a task starting',
      '1/1',
      [taskLine(TASK_A, 'Running', 'Running 1 minute ago'), taskLine(TASK_B, 'Running', 'Starting 1 second ago')],
      /1 pending/,
    ],
  ])('GIVEN %s THEN not converged, saying why', async (_name, replicas, tasks, reason) => {
    const docker = new RecordedDocker()
      .on(['service', 'ls'], serviceLine('platform-test-api', replicas))
      .on(['service', 'ps'], tasks.join('\n'));
    const result = await converged(docker);
    expect(result).toMatchObject({ converged: false });
    expect(JSON.stringify(result)).toMatch(reason);
  });

  it('GIVEN a task stopped in this run THEN converged only once it is not running and a new task runs', async () => {
    let tasks = [taskLine(TASK_A, 'Running', 'Running 2 minutes ago')];
    const docker = new RecordedDocker()
      .on(['ps'], psLine(CONTAINER_A, TASK_A))
      .on(['stop'], CONTAINER_A)
      .on(['service', 'ls'], () => serviceLine('platform-test-api', tasks.length > 1 ? '1/1' : '1/1'))
      .on(['service', 'ps'], () => tasks.join('\n'));
    const ctx = contextFor(testOutputs(), { docker: () => docker });
    await runFault(swarmStopTask, { service: 'api' }, ctx);
    // Right after the stop, the engine may still report the old task running: 1/1, but not proven.
    await expect(converged(docker, ctx)).resolves.toMatchObject({
      converged: false,
      stoppedTask: TASK_A,
      newTask: null,
      reason: expect.stringMatching(/still runs; no new task runs yet/),
    });
    tasks = [taskLine(TASK_B, 'Running', 'Running 1 second ago'), taskLine(TASK_A, 'Shutdown', 'Complete 2 seconds ago')];
    await expect(converged(docker, ctx)).resolves.toMatchObject({
      converged: true,
      stoppedTask: TASK_A,
      stoppedTaskState: 'Complete 2 seconds ago',
      newTask: TASK_B,
    });
    tasks = [taskLine(TASK_B, 'Running', 'Running 5 seconds ago')];
    await expect(converged(docker, ctx)).resolves.toMatchObject({ converged: true, stoppedTaskState: 'gone from the task history' });
  });

  it('GIVEN the service does not exist THEN ActivityFailedError', async () => {
    const docker = new RecordedDocker().on(['service', 'ls'], '');
    const attempt = converged(docker);
    await expect(attempt).rejects.toThrow(ActivityFailedError);
    await expect(attempt).rejects.toThrow(/service platform-test-api does not exist/);
  });
});

describe('swarm output parsing', () => {
  it('reads replicas like "1/1 (max 1 per node)" and refuses nonsense', () => {
    expect(parseReplicas(serviceLine('s', '1/1 (max 1 per node)'), 's')).toEqual({ running: 1, desired: 1 });
    expect(() => parseReplicas(serviceLine('s', 'n/a'), 's')).toThrow(/unexpected replicas/);
    expect(() => parseServiceTasks('not json')).toThrow(/unexpected line from docker service ps/);
  });
});

describe('the rehearsal engine address', () => {
  it('comes from the local outputs, then DOCKER_HOST, else the CLI default (no file is read on the side)', () => {
    expect(localDockerCli({ host: 'unix:///r.sock', env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' } }).host).toBe('unix:///r.sock');
    expect(localDockerCli({ host: null, env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' } }).host).toBe('tcp://127.0.0.1:2375');
    expect(localDockerCli({ host: null, env: {} }).host).toBeNull();
  });

  it("binds the swarm adapter to the engine the outputs name, and records it among the run's adapters", async () => {
    const asked: (string | null)[] = [];
    const docker = new RecordedDocker().on(['ps'], psLine(CONTAINER_A, TASK_A)).on(['stop'], CONTAINER_A);
    const target = bindTarget(
      { ...outputsFor('http://127.0.0.1:1'), dockerHost: 'unix:///r.sock' },
      {
        clients: noClients,
        docker: (host) => {
          asked.push(host);
          return docker;
        },
      },
    );
    expect(target.adapters).toEqual({
      target: 'local',
      orchestrator: 'swarm',
      host: 'ssh',
      aws: null,
      nodes: null,
      dockerHost: 'unix:///r.sock',
    });
    await target.use('orchestrator').stopTask(contextFor(testOutputs()), { fault: 'swarm:stop-task', service: 'api', reason: 'r' });
    expect(asked).toEqual(['unix:///r.sock']);
  });
});
