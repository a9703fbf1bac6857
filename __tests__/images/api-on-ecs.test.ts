/**
 * docker/api on ECS: the task identity from the task metadata endpoint (and the fallback when it
 * fails), and SIGTERM while a request is in flight: /readyz drains, the request completes, exit 0.
 */
import { once } from 'node:events';
import * as http from 'node:http';
import * as net from 'node:net';
import { httpGet } from '../../rehearsal/http-check';
import { apiBinary, processes, useApiBinaries } from './support/api-binaries';
import { startApi } from './support/local-services';
import { requireTool } from './support/require-tool';
import { waitForHttp } from './support/wait-for-http';

const go = requireTool('go', 'golang-go');
const describeWithGo = go === undefined ? describe.skip : describe;

const TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/platform/0123456789abcdef0123456789abcdef';

describeWithGo('docker/api', () => {
  useApiBinaries(go ?? 'go');

  describe('on ECS (task metadata endpoint) and when stopped mid-request', () => {
    let metadata: http.Server;
    let metadataUri = '';

    beforeAll(async () => {
      // Stands in for the ECS agent's task metadata endpoint v4 (ECS_CONTAINER_METADATA_URI_V4).
      metadata = http.createServer((req, res) => {
        if (req.url !== '/v4/container-1/task') {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ Cluster: 'platform', TaskARN: TASK_ARN, Family: 'platform-api', Revision: '3', KnownStatus: 'RUNNING' }));
      });
      metadata.listen(0, '127.0.0.1');
      await once(metadata, 'listening');
      const address = metadata.address() as net.AddressInfo;
      metadataUri = `http://127.0.0.1:${address.port}/v4/container-1`;
    });

    afterAll(async () => {
      metadata.close();
      await once(metadata, 'close');
    });

    test('reports the task ARN from the metadata endpoint, and falls back to TASK_ID when it fails', async () => {
      const onEcs = await startApi(processes, apiBinary, {
        env: { ECS_CONTAINER_METADATA_URI_V4: metadataUri, TASK_ID: 'ignored-on-ecs' },
      });
      let task: unknown;
      const deadline = Date.now() + 3000;
      do {
        task = JSON.parse((await httpGet(`${onEcs.base}/api/status`)).body).task;
      } while ((task as { source?: string }).source !== 'ecs-metadata' && Date.now() < deadline);
      expect(task).toEqual({
        source: 'ecs-metadata',
        arn: TASK_ARN,
        id: '0123456789abcdef0123456789abcdef',
        cluster: 'platform',
        family: 'platform-api',
        revision: '3',
      });

      const broken = await startApi(processes, apiBinary, {
        env: { ECS_CONTAINER_METADATA_URI_V4: `${metadataUri}-missing`, TASK_ID: 'fallback-task' },
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(JSON.parse((await httpGet(`${broken.base}/api/status`)).body).task).toEqual({ source: 'env', id: 'fallback-task' });
      expect(broken.api.output()).toMatch(/"level":"warn","msg":"task identity unavailable, using the environment".*status 404/);

      expect((await onEcs.api.stop('SIGTERM')).code).toBe(0);
      expect((await broken.api.stop('SIGTERM')).code).toBe(0);
    });

    test('SIGTERM: /readyz 503 while draining, the request in flight completes, exit 0', async () => {
      const { api, base, port } = await startApi(processes, apiBinary, { env: { DRAIN_DELAY: '1s', SHUTDOWN_TIMEOUT: '5s' } });

      // A request on the wire when SIGTERM arrives: its headers are half sent. Shutdown must
      // wait for it rather than cut the connection. (go test covers a handler mid-response.)
      const client = net.connect(port, '127.0.0.1');
      await once(client, 'connect');
      let answer = '';
      client.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
      const closed = once(client, 'close');
      client.write('GET /api/status HTTP/1.1\r\nHost: api\r\n');
      await new Promise((resolve) => setTimeout(resolve, 100));

      const signalledAt = Date.now();
      api.child.kill('SIGTERM');
      const draining = await waitForHttp(`${base}/readyz`, 3000, 503);
      expect(JSON.parse(draining.body)).toEqual({ status: 'draining' });
      expect((await httpGet(`${base}/healthz`)).status).toBe(200);

      // After the drain delay the listener closes; the process waits for the request in flight.
      await expect(waitForClosedPort(port, 5000)).resolves.toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(api.running).toBe(true);

      client.end('\r\n');
      await closed;
      expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(answer).toMatch(/\r\nConnection: close\r\n/i);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ draining: true });

      const exit = await api.waitForExit(5000);
      console.log(`api stop time after SIGTERM with a 1 s drain delay and a request in flight: ${Date.now() - signalledAt} ms`);
      expect(exit).toEqual({ code: 0, signal: null });
      const lines = api.lines().map((line) => JSON.parse(line));
      expect(lines.map((line) => line.msg)).toContain('draining');
      expect(lines.slice(-2)).toEqual([
        expect.objectContaining({ msg: 'request', method: 'GET', path: '/api/status', status: 200 }),
        expect.objectContaining({ msg: 'stopped' }),
      ]);
    });
  });
});

/** Resolves once nothing accepts connections on `port` any more. */
async function waitForClosedPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (!accepted) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still accepts connections after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
