/**
 * docker/api: the real binary (built as the image builds it) on loopback ports: its endpoints,
 * its logs, its health check subcommand and the standalone healthcheck command, a clean SIGTERM,
 * and a start refused for an invalid setting.
 */
import { runCommand } from '../../rehearsal/command';
import { httpGet } from '../../rehearsal/http-check';
import { apiBinary, healthcheckBinary, processes, useApiBinaries, VERSION } from './support/api-binaries';
import { freePort } from './support/free-port';
import { startApi } from './support/local-services';
import { requireTool } from './support/require-tool';
import type { ServiceProcess } from './support/service-process';

const go = requireTool('go', 'golang-go');
const describeWithGo = go === undefined ? describe.skip : describe;

/** A binary here exits within a second; one that hangs is killed, so that no process outlives the test run. */
const KILL_AFTER_MS = 120_000;

describeWithGo('docker/api', () => {
  useApiBinaries(go ?? 'go');

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

  test('an invalid setting stops the start with exit 2 and a message naming it', async () => {
    const result = await runCommand(apiBinary, [], { env: { PORT: '8080', SHUTDOWN_TIMEOUT: 'soon' }, timeoutMs: KILL_AFTER_MS });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /"level":"error","msg":"invalid configuration","error":"SHUTDOWN_TIMEOUT must be a duration such as 5s or 500ms, got \\"soon\\""/,
    );
  });
});
