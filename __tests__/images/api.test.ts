/**
 * docker/api: the Go API. go vet and go test on the module, then the real binary (built as the
 * image builds it) on loopback ports: its endpoints, its logs, its health check subcommand and
 * the standalone healthcheck command, and what SIGTERM does to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCommand } from '../../rehearsal/command';
import { httpGet } from '../../rehearsal/http-check';
import { freePort } from './support/free-port';
import { buildGoBinary, runGo } from './support/go-build';
import { startApi } from './support/local-services';
import { requireTool } from './support/require-tool';
import { ProcessGroup, type ServiceProcess } from './support/service-process';
import { waitForHttp } from './support/wait-for-http';

const go = requireTool('go', 'golang-go');
const describeWithGo = go === undefined ? describe.skip : describe;

/** A binary here exits within a second; one that hangs is killed, so that no process outlives the test run. */
const KILL_AFTER_MS = 120_000;

const VERSION = 'test-1.2.3';
const TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/platform/0123456789abcdef0123456789abcdef';

describeWithGo('docker/api', () => {
  const goPath = go ?? 'go';
  let workDir = '';
  let processes: ProcessGroup;
  let apiBinary = '';
  let healthcheckBinary = '';

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'api-test-'));
    processes = new ProcessGroup(workDir);
    apiBinary = await buildGoBinary(goPath, '.', path.join(workDir, 'api'), `-X main.version=${VERSION}`);
    healthcheckBinary = await buildGoBinary(goPath, './cmd/healthcheck', path.join(workDir, 'healthcheck'));
  }, 120000);

  afterAll(async () => {
    await processes?.stopAll();
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });

  describe('the Go module', () => {
    test('go vet ./... is clean', async () => {
      const result = await runGo(goPath, ['vet', './...']);
      expect({ code: result.code, output: result.stdout + result.stderr }).toEqual({ code: 0, output: '' });
    });

    test('go test ./... passes (httptest handlers, real SIGTERM drain, probe)', async () => {
      const result = await runGo(goPath, ['test', '-count=1', './...']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^ok\s+ecs-chaos-platform\/docker\/api\s/m);
      expect(result.stdout).toMatch(/^ok\s+ecs-chaos-platform\/docker\/api\/internal\/probe\s/m);
      expect(result.stdout).not.toMatch(/^FAIL/m);
    });

    test('uses the standard library only: go.mod requires nothing and says go 1.19', async () => {
      const result = await runGo(goPath, ['list', '-m', '-f', '{{.Path}} {{.GoVersion}}', 'all']);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe('ecs-chaos-platform/docker/api 1.19');
    });
  });

  describe('the binary, serving on loopback', () => {
    let api: ServiceProcess;
    let base = '';
    let port = 0;

    beforeAll(async () => {
      ({ api, base, port } = await startApi(processes, apiBinary, { env: { TASK_ID: 'local-task-1' } }));
    }, 20000);

    test.each([
      ['/healthz', 200, { status: 'ok' }],
      ['/readyz', 200, { status: 'ready' }],
      ['/nothing-here', 404, { error: 'not found', path: '/nothing-here' }],
    ])('GET %s answers %d', async (urlPath, status, body) => {
      const reply = await httpGet(`${base}${urlPath}`);
      expect(reply.status).toBe(status);
      expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(reply.body)).toEqual(body);
    });

    test('GET /api/status tells which process and task answer, since when', async () => {
      const reply = await httpGet(`${base}/api/status`);
      expect(reply.status).toBe(200);
      expect(reply.headers['cache-control']).toBe('no-store');
      const status: unknown = JSON.parse(reply.body);
      expect(status).toEqual({
        service: 'api',
        version: VERSION,
        instance: expect.stringMatching(/^[0-9a-f]{16}$/),
        hostname: expect.any(String),
        task: { source: 'env', id: 'local-task-1' },
        startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
        uptimeSeconds: expect.any(Number),
        draining: false,
      });
    });

    test('uptime grows and the instance id stays the same within one process', async () => {
      const first = JSON.parse((await httpGet(`${base}/api/status`)).body);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const second = JSON.parse((await httpGet(`${base}/api/status`)).body);
      expect(second.instance).toBe(first.instance);
      expect(second.startedAt).toBe(first.startedAt);
      expect(second.uptimeSeconds).toBeGreaterThan(first.uptimeSeconds);
    });

    test('GET /api/posts lists posts; other methods get 405 with Allow', async () => {
      const reply = await httpGet(`${base}/api/posts`);
      expect(reply.status).toBe(200);
      const body = JSON.parse(reply.body);
      expect(body.posts.length).toBeGreaterThan(0);
      for (const post of body.posts) {
        expect(post).toEqual({
          id: expect.any(Number),
          title: expect.any(String),
          summary: expect.any(String),
          publishedAt: expect.any(String),
        });
      }
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const refused = await httpGet(`${base}/api/posts`, { method });
        expect({ method, status: refused.status, allow: refused.headers.allow }).toEqual({ method, status: 405, allow: 'GET, HEAD' });
      }
    });

    test('logs one JSON object per line, with method, path, status and duration for each request', async () => {
      await httpGet(`${base}/api/posts?page=2`);
      const lines = api.lines().map((line) => JSON.parse(line));
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines) {
        expect(Object.keys(line).slice(0, 3)).toEqual(['time', 'level', 'msg']);
        expect(Number.isNaN(Date.parse(line.time))).toBe(false);
      }
      expect(lines[0]).toMatchObject({ level: 'info', msg: 'listening', addr: `127.0.0.1:${port}`, version: VERSION });
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: 'request', method: 'GET', path: '/api/posts', status: 200, duration_ms: expect.any(Number) }),
      );
    });

    test('`api healthcheck` (the ECS health check) exits 0 against /healthz on $PORT', async () => {
      const result = await runCommand(apiBinary, ['healthcheck'], { env: { PORT: String(port) }, timeoutMs: KILL_AFTER_MS });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    });

    test.each([
      [
        'a closed port',
        (closed: number) => [`http://127.0.0.1:${closed}/healthz`],
        /^unhealthy: GET http:\/\/127\.0\.0\.1:\d+\/healthz: .*connection refused\n$/,
      ],
      ['a 404', () => [`http://127.0.0.1:${port}/missing`], /^unhealthy: GET .*: status 404 Not Found\n$/],
      ['two arguments', () => ['a', 'b'], /^usage: api healthcheck \[url\]\n$/],
    ])('`api healthcheck` exits 1 with one line on stderr for %s', async (_, args, stderr) => {
      const result = await runCommand(apiBinary, ['healthcheck', ...args(await freePort())], { timeoutMs: KILL_AFTER_MS });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(stderr);
    });

    test('the standalone healthcheck command (frontend and proxy images) exits 0 on 2xx, 1 otherwise', async () => {
      const ok = await runCommand(healthcheckBinary, [`${base}/healthz`], { timeoutMs: KILL_AFTER_MS });
      expect({ code: ok.code, stderr: ok.stderr }).toEqual({ code: 0, stderr: '' });
      const notFound = await runCommand(healthcheckBinary, [`${base}/missing`], { timeoutMs: KILL_AFTER_MS });
      expect(notFound.code).toBe(1);
      expect(notFound.stderr).toMatch(/^unhealthy: GET .*\/missing: status 404 Not Found\n$/);
      const usage = await runCommand(healthcheckBinary, [], { timeoutMs: KILL_AFTER_MS });
      expect({ code: usage.code, stderr: usage.stderr }).toEqual({ code: 1, stderr: 'usage: healthcheck <url>\n' });
    });

    test('a second process answers with a different instance id', async () => {
      const first = JSON.parse((await httpGet(`${base}/api/status`)).body);
      const other = await startApi(processes, apiBinary, { env: { TASK_ID: 'local-task-1' } });
      const second = JSON.parse((await httpGet(`${other.base}/api/status`)).body);
      expect(second.instance).not.toBe(first.instance);
      expect(second.task).toEqual(first.task);
      expect((await other.api.stop('SIGTERM')).code).toBe(0);
    });

    test('SIGTERM with no traffic: exits 0 at once (stop time printed)', async () => {
      const stopped = await api.stop('SIGTERM');
      console.log(`api stop time after SIGTERM with no traffic: ${stopped.ms} ms`);
      expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
      expect(
        api
          .lines()
          .map((line) => JSON.parse(line).msg)
          .slice(-2),
      ).toEqual(['draining', 'stopped']);
    });
  });

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

  test('an invalid setting stops the start with exit 2 and a message naming it', async () => {
    const result = await runCommand(apiBinary, [], { env: { PORT: '8080', SHUTDOWN_TIMEOUT: 'soon' }, timeoutMs: KILL_AFTER_MS });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /"level":"error","msg":"invalid configuration","error":"SHUTDOWN_TIMEOUT must be a duration such as 5s or 500ms, got \\"soon\\""/,
    );
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
