/**
 * The SSH driver against a real sshd on loopback (its own host key and authorized keys) and a fake
 * `docker` on the session's PATH that records exactly which argv reached the host.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import * as net from 'node:net';
import { join } from 'node:path';
import { sshContainerRunning } from '../../../chaos/drivers/ssh/container-running';
import { sshDockerKill } from '../../../chaos/drivers/ssh/docker-kill';
import { sshDockerStop } from '../../../chaos/drivers/ssh/docker-stop';
import { sshHttpGet } from '../../../chaos/drivers/ssh/http-get';
import { fingerprintOf } from '../../../chaos/adapters/ssh/known-hosts';
import { ActivityFailedError } from '../../../chaos/errors';
import type { PlatformOutputs } from '../../../contract/outputs';
import { contextFor, runFault } from './support/context';
import { awsOutputs, testOutputs } from './support/outputs';
import { sshdAvailable, STARTED_AT, TestSshd } from './support/test-sshd';

const describeWithSshd = sshdAvailable() ? describe : describe.skip;

const API_ID = '0123456789ab';
const NEW_API_ID = 'ba9876543210';
const INSPECT = ['inspect', '--type', 'container', '--format', '{{.State.StartedAt}}', API_ID];

describeWithSshd('ssh driver against a real sshd', () => {
  let sshd: TestSshd;
  let outputs: PlatformOutputs;
  let keys: { privateKey: string; knownHosts: string };

  beforeAll(async () => {
    sshd = await TestSshd.start();
    outputs = testOutputs({ sshHost: '127.0.0.1', sshPort: sshd.port, sshUser: sshd.user });
    keys = { privateKey: sshd.privateKey, knownHosts: sshd.knownHosts };
  });
  afterAll(async () => sshd.stop());
  beforeEach(async () => {
    await sshd.dockerCalls();
    await sshd.dockerExit(null);
    await sshd.dockerDelay(null);
    await sshd.startedAt(STARTED_AT);
    await sshd.psOutput([`${API_ID} platform-test-api.1.x7fj2k3l4m5n6o7p8q9r0s1t2`]);
  });

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

  describe('host key verification', () => {
    it('GIVEN a known_hosts with another key for the host THEN it refuses (CHANGED) and runs nothing', async () => {
      const otherKnownHosts = join(sshd.dir, 'other_known_hosts');
      const other = (await readFile(`${sshd.privateKey}.pub`, 'utf8')).trim().split(/\s+/);
      await writeFile(otherKnownHosts, `[127.0.0.1]:${sshd.port} ${other[0]} ${other[1]}\n`);
      const attempt = runFault(
        sshDockerStop,
        { service: 'api', privateKey: sshd.privateKey, knownHosts: otherKnownHosts },
        contextFor(outputs),
      );
      await expect(attempt).rejects.toThrow(ActivityFailedError);
      await expect(attempt).rejects.toThrow(/host key of \[127\.0\.0\.1\]:\d+ CHANGED/);
      expect(await sshd.dockerCalls()).toEqual([]);
    });

    it('GIVEN a known_hosts that does not name the host (only port 22) THEN it refuses as unknown', async () => {
      const hostOnly = join(sshd.dir, 'port22_known_hosts');
      const [type, key] = (await readFile(sshd.hostPublicKey, 'utf8')).trim().split(/\s+/);
      await writeFile(hostOnly, `127.0.0.1 ${type} ${key}\n`);
      await expect(
        runFault(sshDockerStop, { service: 'api', privateKey: sshd.privateKey, knownHosts: hostOnly }, contextFor(outputs)),
      ).rejects.toThrow(/is not in .*port22_known_hosts/);
      expect(await sshd.dockerCalls()).toEqual([]);
    });

    it('GIVEN a pinned fingerprint THEN the right one connects and a wrong one is refused', async () => {
      const [, key] = (await readFile(sshd.hostPublicKey, 'utf8')).trim().split(/\s+/);
      const pinned = fingerprintOf(Buffer.from(key ?? '', 'base64'));
      await expect(
        runFault(sshContainerRunning, { service: 'api', privateKey: sshd.privateKey, hostKeyFingerprint: pinned }, contextFor(outputs)),
      ).resolves.toMatchObject({ running: true });
      const wrong = `SHA256:${'A'.repeat(43)}`;
      await expect(
        runFault(sshDockerStop, { service: 'api', privateKey: sshd.privateKey, hostKeyFingerprint: wrong }, contextFor(outputs)),
      ).rejects.toThrow(/not the pinned SHA256:A+; refusing/);
      expect((await sshd.dockerCalls()).map((c) => c[0])).toEqual(['ps']);
    });

    it('GIVEN a missing private key THEN it says which file and how to give one', async () => {
      await expect(
        runFault(sshDockerStop, { service: 'api', privateKey: join(sshd.dir, 'nope'), knownHosts: sshd.knownHosts }, contextFor(outputs)),
      ).rejects.toThrow(/private key .*nope does not exist: pass privateKey, set CHAOS_SSH_KEY/);
    });
  });

  describe('hostile names in the outputs', () => {
    let listener: net.Server;
    let connections = 0;
    let port = 0;
    beforeAll(async () => {
      listener = net.createServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      const address = listener.address();
      port = typeof address === 'object' && address !== null ? address.port : 0;
    });
    afterAll(async () => new Promise<void>((resolve) => listener.close(() => resolve())));

    it.each(['api; rm -rf /', '$(reboot)', '`id`', "api'x", 'api x', '-api', 'a|b', 'a&b', 'a>b', 'api\nid'])(
      'refuses the service name %j before connecting',
      async (hostile) => {
        const bad = testOutputs({ sshHost: '127.0.0.1', sshPort: port, sshUser: sshd.user });
        const poisoned: PlatformOutputs = { ...bad, services: { ...bad.services, api: { ...bad.services.api, serviceName: hostile } } };
        await expect(runFault(sshDockerStop, { service: 'api', ...keys }, contextFor(poisoned))).rejects.toThrow(
          /refused swarm service name .*only letters, digits/,
        );
        const awsPoisoned: PlatformOutputs = {
          ...poisoned,
          target: 'aws',
          services: { ...bad.services, api: { ...bad.services.api, containerName: hostile } },
        };
        await expect(runFault(sshDockerKill, { service: 'api', ...keys }, contextFor(awsPoisoned))).rejects.toThrow(
          /refused container name/,
        );
        expect(connections).toBe(0);
      },
    );
  });

  describe('ssh:http-get through the SSH connection', () => {
    let server: Server;
    let instance = 'instance-a';
    let status = 200;
    let servicePort = 0;
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ service: 'api', instance, path: req.url }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      servicePort = typeof address === 'object' && address !== null ? address.port : 0;
    });
    afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => {
      instance = 'instance-a';
      status = 200;
    });

    const apiOn = (): PlatformOutputs => ({
      ...outputs,
      services: { ...outputs.services, api: { ...outputs.services.api, port: servicePort } },
    });

    it('GETs the health path by default and a given path, on 127.0.0.1 of the host', async () => {
      await expect(runFault(sshHttpGet, { service: 'api', ...keys }, contextFor(apiOn()))).resolves.toMatchObject({
        status: 200,
        url: `http://127.0.0.1:${servicePort}/healthz`,
        instance: 'instance-a',
      });
      status = 503;
      await expect(runFault(sshHttpGet, { service: 'api', path: '/api/status', ...keys }, contextFor(apiOn()))).rejects.toThrow(
        /answered 503, expected 200/,
      );
    });

    it('GIVEN newInstance WHEN the API answers from the instance seen before the fault THEN it fails, and passes once a new one answers', async () => {
      const ctx = contextFor(apiOn());
      const probe = { service: 'api', path: '/api/status', newInstance: true, ...keys };
      await expect(runFault(sshHttpGet, probe, ctx)).resolves.toMatchObject({ instance: 'instance-a', newInstance: null });
      await runFault(sshDockerStop, { service: 'api', ...keys }, ctx);
      await expect(runFault(sshHttpGet, probe, ctx)).rejects.toThrow(/still answers from instance instance-a/);
      instance = 'instance-b';
      await expect(runFault(sshHttpGet, probe, ctx)).resolves.toMatchObject({ instance: 'instance-b', newInstance: true });
    });

    it('GIVEN nothing listens on the port THEN ActivityFailedError', async () => {
      const closed = { ...outputs, services: { ...outputs.services, frontend: { ...outputs.services.frontend, port: 1 } } };
      await expect(runFault(sshHttpGet, { service: 'frontend', ...keys }, contextFor(closed))).rejects.toThrow(ActivityFailedError);
    });
  });
});
