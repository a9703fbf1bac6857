/**
 * ssh:http-get against a real sshd on loopback: the GET goes through the SSH connection to a
 * server on the host's 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import { sshDockerStop } from '../../../chaos/drivers/ssh/docker-stop';
import { sshHttpGet } from '../../../chaos/drivers/ssh/http-get';
import { ActivityFailedError } from '../../../chaos/errors';
import type { PlatformOutputs } from '../../../contract/outputs';
import { contextFor, runFault } from './support/context';
import { keys, outputs, useTestSshd } from './support/sshd-suite';
import { sshdAvailable } from './support/test-sshd';

const describeWithSshd = sshdAvailable() ? describe : describe.skip;

describeWithSshd('ssh driver against a real sshd', () => {
  useTestSshd();

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
