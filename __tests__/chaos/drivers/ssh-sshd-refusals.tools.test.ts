/**
 * What the SSH driver refuses before any docker command reaches the host, against a real sshd on
 * loopback: a host key it cannot verify, a missing private key, and hostile names in the outputs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { join } from 'node:path';
import { sshContainerRunning } from '../../../chaos/drivers/ssh/container-running';
import { sshDockerKill } from '../../../chaos/drivers/ssh/docker-kill';
import { sshDockerStop } from '../../../chaos/drivers/ssh/docker-stop';
import { fingerprintOf } from '../../../chaos/adapters/ssh/known-hosts';
import { ActivityFailedError } from '../../../chaos/errors';
import type { PlatformOutputs } from '../../../contract/outputs';
import { contextFor, runFault } from './support/context';
import { testOutputs } from './support/outputs';
import { keys, outputs, sshd, useTestSshd } from './support/sshd-suite';
import { sshdAvailable } from './support/test-sshd';

const describeWithSshd = sshdAvailable() ? describe : describe.skip;

describeWithSshd('ssh driver against a real sshd', () => {
  useTestSshd();

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
          hostAccess: 'ssh',
          services: { ...bad.services, api: { ...bad.services.api, containerName: hostile } },
        };
        await expect(runFault(sshDockerKill, { service: 'api', ...keys }, contextFor(awsPoisoned))).rejects.toThrow(
          /refused container name/,
        );
        expect(connections).toBe(0);
      },
    );
  });
});
