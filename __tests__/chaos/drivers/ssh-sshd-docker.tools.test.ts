/**
 * The SSH driver's container faults and probe against a real sshd on loopback (its own host key
 * and authorized keys) and a fake `docker` on the session's PATH that records exactly which argv
 * reached the host.
 */
import { sshContainerRunning } from '../../../chaos/drivers/ssh/container-running';
import { sshDockerKill } from '../../../chaos/drivers/ssh/docker-kill';
import { sshDockerStop } from '../../../chaos/drivers/ssh/docker-stop';
import { ActivityFailedError } from '../../../chaos/errors';
import { contextFor, runFault } from './support/context';
import { awsOutputs } from './support/outputs';
import { API_ID, keys, outputs, sshd, useTestSshd } from './support/sshd-suite';
import { sshdAvailable, STARTED_AT } from './support/test-sshd';

const describeWithSshd = sshdAvailable() ? describe : describe.skip;

const NEW_API_ID = 'ba9876543210';
const INSPECT = ['inspect', '--type', 'container', '--format', '{{.State.StartedAt}}', API_ID];

describeWithSshd('ssh driver against a real sshd', () => {
  useTestSshd();

  describe('ssh:docker-stop', () => {
    it('GIVEN the local target WHEN it runs THEN it lists by the swarm service label, stops that exact id and records it', async () => {
      const ctx = contextFor(outputs);
      const result = await runFault(sshDockerStop, { service: 'api', ...keys }, ctx);
      expect(await sshd.dockerCalls()).toEqual([
        ['ps', '--filter', 'label=com.docker.swarm.service.name=platform-test-api', '--format', '{{.ID}} {{.Names}}'],
        INSPECT,
        ['stop', API_ID],
      ]);
      expect(result).toMatchObject({
        service: 'api',
        stoppedContainer: API_ID,
        containerName: 'platform-test-api.1.x7fj2k3l4m5n6o7p8q9r0s1t2',
        startedAt: STARTED_AT,
      });
      expect(ctx.record.lastStopped('api', 'container')).toMatchObject({
        id: API_ID,
        fault: 'ssh:docker-stop',
        startedAt: STARTED_AT,
      });
    });

    it('GIVEN the aws target THEN it matches the ECS container-name and task-family labels, with the stop timeout', async () => {
      const aws = awsOutputs({ sshHost: '127.0.0.1', sshPort: sshd.port, sshUser: sshd.user });
      await runFault(sshDockerStop, { service: 'api', stopTimeoutSeconds: 3, ...keys }, contextFor(aws));
      expect(await sshd.dockerCalls()).toEqual([
        [
          'ps',
          '--filter',
          'label=com.amazonaws.ecs.container-name=api',
          '--filter',
          'label=com.amazonaws.ecs.task-definition-family=platform-test-api',
          '--format',
          '{{.ID}} {{.Names}}',
        ],
        INSPECT,
        ['stop', '--time', '3', API_ID],
      ]);
    });

    it.each<[string, string[], RegExp]>([
      ['no container', [], /no running container of api/],
      ['two containers', [`${API_ID} a.1`, `${NEW_API_ID} a.2`], /2 running containers of api .*expected exactly one, so none was touched/],
      ['output that is not docker ps', ['rm -rf / now'], /unexpected line from docker ps/],
    ])('GIVEN %s THEN it refuses and stops nothing', async (_name, lines, message) => {
      await sshd.psOutput(lines);
      await expect(runFault(sshDockerStop, { service: 'api', ...keys }, contextFor(outputs))).rejects.toThrow(message);
      expect((await sshd.dockerCalls()).map((c) => c[0])).toEqual(['ps']);
    });

    it('GIVEN an interruption while the remote command runs THEN it stops waiting at once, with the interruption', async () => {
      await sshd.dockerDelay(5);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('interrupted by SIGINT')), 300);
      const started = Date.now();
      await expect(runFault(sshDockerStop, { service: 'api', ...keys }, contextFor(outputs, {}, controller.signal))).rejects.toThrow(
        /interrupted by SIGINT/,
      );
      expect(Date.now() - started).toBeLessThan(2000);
      await sshd.dockerDelay(null);
      expect((await sshd.dockerCalls()).map((c) => c[0])).not.toContain('stop');
    });

    it('GIVEN docker fails on the host THEN ActivityFailedError with its exit status', async () => {
      await sshd.dockerExit(1);
      const attempt = runFault(sshDockerStop, { service: 'api', ...keys }, contextFor(outputs));
      await expect(attempt).rejects.toThrow(ActivityFailedError);
      await expect(attempt).rejects.toThrow(/exited with 1/);
    });
  });

  describe('ssh:docker-kill', () => {
    it.each<[string, object, string]>([
      ['SIGKILL by default', {}, 'SIGKILL'],
      ['the signal asked for', { signal: 'SIGTERM' }, 'SIGTERM'],
    ])('sends %s', async (_name, extra, signal) => {
      const result = await runFault(sshDockerKill, { service: 'api', ...extra, ...keys }, contextFor(outputs));
      expect((await sshd.dockerCalls())[2]).toEqual(['kill', '--signal', signal, API_ID]);
      expect(result).toMatchObject({ signal, stoppedContainer: API_ID });
    });
  });

  describe('ssh:container-running', () => {
    it('GIVEN no fault yet THEN running means a container is listed', async () => {
      await expect(runFault(sshContainerRunning, { service: 'api', ...keys }, contextFor(outputs))).resolves.toMatchObject({
        running: true,
        count: 1,
        replaced: null,
      });
      await sshd.psOutput([]);
      await expect(runFault(sshContainerRunning, { service: 'api', ...keys }, contextFor(outputs))).resolves.toMatchObject({
        running: false,
        count: 0,
        reason: 'no running container',
      });
    });

    it('GIVEN a container stopped in this run THEN running only once a NEW container is listed', async () => {
      const ctx = contextFor(outputs);
      await runFault(sshDockerStop, { service: 'api', ...keys }, ctx);
      await expect(runFault(sshContainerRunning, { service: 'api', ...keys }, ctx)).resolves.toMatchObject({
        running: false,
        replaced: false,
        stoppedContainer: API_ID,
      });
      await sshd.psOutput([`${NEW_API_ID} platform-test-api.1.next`]);
      await expect(runFault(sshContainerRunning, { service: 'api', ...keys }, ctx)).resolves.toMatchObject({
        running: true,
        replaced: true,
        restartedInPlace: null,
        containers: [{ id: NEW_API_ID }],
      });
    });

    it('GIVEN the same container restarted in place (ECS restart policy) THEN running once its start time changed', async () => {
      const ctx = contextFor(outputs);
      await runFault(sshDockerStop, { service: 'api', ...keys }, ctx);
      await expect(runFault(sshContainerRunning, { service: 'api', ...keys }, ctx)).resolves.toMatchObject({
        running: false,
        restartedInPlace: false,
      });
      await sshd.startedAt('2026-05-02T10:00:07.5Z');
      await expect(runFault(sshContainerRunning, { service: 'api', ...keys }, ctx)).resolves.toMatchObject({
        running: true,
        replaced: true,
        restartedInPlace: true,
      });
      expect((await sshd.dockerCalls()).filter((c) => c[0] === 'inspect')).toHaveLength(3);
    });
  });
});
