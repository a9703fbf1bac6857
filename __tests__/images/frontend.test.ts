/**
 * docker/frontend: the shipped nginx.conf and site run by the real Debian nginx on loopback,
 * started with the image's own ENTRYPOINT arguments (the page's state logic, app.js, is
 * tested in frontend-app.test.ts).
 *
 * The image's prefix is /srv/frontend/ (html/ the site, run/ a link to /tmp). Here the prefix
 * is a temporary directory laid out the same way, and `listen 8081` is rewritten to a free
 * port: that line is the only difference from the file the image ships.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCommand } from '../../rehearsal/command';
import { httpGet } from '../../rehearsal/http-check';
import { freePort } from './support/free-port';
import { buildGoBinary } from './support/go-build';
import { frontendConfigOnPort, SITE_DIR, stageSite } from './support/local-services';
import { FRONTEND_DIR } from './support/repo-paths';
import { requireTool } from './support/require-tool';
import { ProcessGroup, type ServiceProcess } from './support/service-process';
import { waitForHttp } from './support/wait-for-http';

const nginx = requireTool('nginx', 'nginx');
const go = requireTool('go', 'golang-go');
const describeWithNginx = nginx === undefined ? describe.skip : describe;
const testWithGo = go === undefined ? test.skip : test;

/** A binary here exits within a second; one that hangs is killed, so that no process outlives the test run. */
const KILL_AFTER_MS = 120_000;
const IMAGE_PREFIX = '/srv/frontend/';

/** The exec-form ENTRYPOINT of the frontend Dockerfile. */
function dockerfileEntrypoint(): string[] {
  const dockerfile = readFileSync(path.join(FRONTEND_DIR, 'Dockerfile'), 'utf8');
  const match = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile);
  if (match === null) throw new Error('docker/frontend/Dockerfile has no exec-form ENTRYPOINT');
  const parsed: unknown = JSON.parse(match[1]);
  if (!Array.isArray(parsed) || !parsed.every((arg): arg is string => typeof arg === 'string')) {
    throw new Error(`ENTRYPOINT is not a list of strings: ${match[1]}`);
  }
  return parsed;
}

const ENTRYPOINT_SCRIPT = path.join(FRONTEND_DIR, 'entrypoint.sh');

/**
 * The nginx arguments the entry point script execs for the default port, with the image's
 * variables at their defaults: its `exec` line, the one place they are written.
 */
function scriptNginxArgs(): string[] {
  const script = readFileSync(ENTRYPOINT_SCRIPT, 'utf8');
  const line = /^exec "\$\{NGINX_BIN:-\/usr\/sbin\/nginx\}" (.*)$/m.exec(script);
  if (line === null) throw new Error('docker/frontend/entrypoint.sh has no exec line for nginx');
  return line[1]
    .replace('"$prefix/"', IMAGE_PREFIX)
    .replace('"$conf"', `${IMAGE_PREFIX}nginx.conf`)
    .replace("'daemon off;'", 'daemon_off;')
    .split(' ')
    .map((word) => word.replace('daemon_off;', 'daemon off;'));
}

describeWithNginx('docker/frontend: nginx with the shipped config', () => {
  const nginxPath = nginx ?? 'nginx';
  let prefix = '';
  let processes: ProcessGroup;
  let server: ServiceProcess;
  let base = '';
  let args: string[] = [];

  beforeAll(async () => {
    prefix = mkdtempSync(path.join(tmpdir(), 'frontend-test-'));
    stageSite(prefix);
    const port = await freePort();
    writeFileSync(path.join(prefix, 'nginx.conf'), frontendConfigOnPort(port));
    base = `http://127.0.0.1:${port}`;

    const entrypoint = dockerfileEntrypoint();
    expect(entrypoint).toEqual(['/usr/local/bin/frontend-entrypoint']);
    expect(readFileSync(path.join(FRONTEND_DIR, 'Dockerfile'), 'utf8')).toMatch(
      /^COPY frontend\/entrypoint\.sh \/usr\/local\/bin\/frontend-entrypoint$/m,
    );
    args = scriptNginxArgs().map((arg) => arg.split(IMAGE_PREFIX).join(`${prefix}/`));

    processes = new ProcessGroup(prefix);
  });

  afterAll(async () => {
    await processes?.stopAll();
    if (prefix !== '') rmSync(prefix, { recursive: true, force: true });
  });

  test('the image runs nginx in the foreground with this prefix and config, errors to stderr', () => {
    expect(args).toEqual(['-p', `${prefix}/`, '-c', `${prefix}/nginx.conf`, '-e', 'stderr', '-g', 'daemon off;']);
  });

  test("the entry point serves a copy on its own PORT: the shipped config's listen line moved, nothing else", async () => {
    const copyPrefix = path.join(prefix, 'copy-2');
    stageSite(copyPrefix);
    writeFileSync(path.join(copyPrefix, 'nginx.conf'), readFileSync(path.join(FRONTEND_DIR, 'nginx.conf')));
    const copyPort = await freePort();
    const env = {
      FRONTEND_PREFIX: copyPrefix,
      FRONTEND_RUN_DIR: path.join(copyPrefix, 'run'),
      NGINX_BIN: nginxPath,
      PORT: String(copyPort),
    };
    const copy = processes.start('frontend-copy-2', 'sh', [ENTRYPOINT_SCRIPT], { env });
    await waitForHttp(`http://127.0.0.1:${copyPort}/healthz`, 10_000);
    const page = await httpGet(`http://127.0.0.1:${copyPort}/`, { timeoutMs: 2000 });
    expect(page.status).toBe(200);
    const moved = readFileSync(path.join(copyPrefix, 'run', 'nginx.conf'), 'utf8');
    const shipped = readFileSync(path.join(FRONTEND_DIR, 'nginx.conf'), 'utf8');
    expect(moved).toBe(shipped.replace('listen 127.0.0.1:8081 ', `listen 127.0.0.1:${copyPort} `));
    await copy.stop('SIGQUIT');

    const refused = processes.start('frontend-bad-port', 'sh', [ENTRYPOINT_SCRIPT], { env: { ...env, PORT: '80a' } });
    expect(await refused.waitForExit(10_000)).toEqual({ code: 2, signal: null });
    expect(refused.output()).toContain("frontend: PORT must be a port number from 1 to 65535, got '80a'");
  });

  test('nginx -t accepts the shipped config', async () => {
    // Through a ProcessGroup: nginx -t opens /dev/stdout, which must be a file, not Node's socket.
    const check = processes.start('nginx-t', nginxPath, [...args, '-t']);
    const exit = await check.waitForExit(10000);
    expect({ exit, output: check.output() }).toEqual({
      exit: { code: 0, signal: null },
      output: expect.stringMatching(/syntax is ok[\s\S]*test is successful/),
    });
  });

  describe('serving on loopback', () => {
    beforeAll(async () => {
      server = processes.start('nginx', nginxPath, args);
      await waitForHttp(`${base}/healthz`, 10000).catch((err: Error) => {
        throw new Error(`${err.message}\n${server.output()}`);
      });
    });

    test('GET /healthz answers 200 "ok"', async () => {
      const reply = await httpGet(`${base}/healthz`);
      expect({ status: reply.status, body: reply.body.trim(), type: reply.headers['content-type'] }).toEqual({
        status: 200,
        body: 'ok',
        type: 'text/plain; charset=utf-8',
      });
    });

    test.each([
      ['/', 'text/html; charset=utf-8', 'no-cache', '<script src="app.js" defer></script>'],
      ['/index.html', 'text/html; charset=utf-8', 'no-cache', '<link rel="stylesheet" href="styles.css">'],
      ['/app.js', 'application/javascript; charset=utf-8', 'public, max-age=300', "fetch(path, { cache: 'no-store'"],
      ['/styles.css', 'text/css; charset=utf-8', 'public, max-age=300', '[data-phase="down"]'],
    ])('GET %s serves the file as %s with Cache-Control %s', async (urlPath, type, cacheControl, excerpt) => {
      const reply = await httpGet(`${base}${urlPath}`);
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe(type);
      expect(reply.headers['cache-control']).toBe(cacheControl);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.body).toContain(excerpt);
    });

    test('the page works offline: its CSP allows only its own origin and it loads nothing from elsewhere', async () => {
      const reply = await httpGet(`${base}/`);
      expect(reply.headers['content-security-policy']).toMatch(/default-src 'self'/);
      for (const file of readdirSync(SITE_DIR)) {
        const text = readFileSync(path.join(SITE_DIR, file), 'utf8');
        expect({ file, external: text.match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi) }).toEqual({ file, external: null });
      }
    });

    test('a missing file is a 404; the server does not name its version', async () => {
      const reply = await httpGet(`${base}/no-such-page`);
      expect(reply.status).toBe(404);
      expect(reply.headers.server).toBe('nginx');
    });

    test('the access log is one JSON object per request on stdout; /healthz is not logged', async () => {
      await httpGet(`${base}/styles.css?v=1`);
      await httpGet(`${base}/healthz`);
      const lines = server
        .lines()
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line));
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 'info',
          msg: 'request',
          method: 'GET',
          uri: '/styles.css?v=1',
          status: 200,
          duration_s: expect.any(Number),
        }),
      );
      expect(lines.filter((line) => line.uri === '/healthz')).toEqual([]);
    });

    testWithGo(
      'the ECS health check command (healthcheck built from docker/api) passes against /healthz',
      async () => {
        const binary = await buildGoBinary(go ?? 'go', './cmd/healthcheck', path.join(prefix, 'healthcheck'));
        const healthy = await runCommand(binary, [`${base}/healthz`], { timeoutMs: KILL_AFTER_MS });
        expect({ code: healthy.code, stderr: healthy.stderr }).toEqual({ code: 0, stderr: '' });
        const missing = await runCommand(binary, [`${base}/no-such-page`], { timeoutMs: KILL_AFTER_MS });
        expect(missing.code).toBe(1);
      },
      60000,
    );

    test('SIGQUIT (the image STOPSIGNAL) stops nginx gracefully with exit 0', async () => {
      const dockerfile = readFileSync(path.join(FRONTEND_DIR, 'Dockerfile'), 'utf8');
      expect(dockerfile).toMatch(/^STOPSIGNAL SIGQUIT$/m);
      const stopped = await server.stop('SIGQUIT');
      console.log(`frontend nginx stop time after SIGQUIT with no traffic: ${stopped.ms} ms`);
      expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
      expect(server.output()).not.toMatch(/\[(emerg|alert|crit)\]/);
    });
  });

  test('an error in the config fails nginx -t with the reason', async () => {
    const broken = path.join(prefix, 'broken.conf');
    writeFileSync(broken, readFileSync(path.join(prefix, 'nginx.conf'), 'utf8').replace('root html;', 'root html'));
    const check = processes.start('nginx-t-broken', nginxPath, ['-p', `${prefix}/`, '-c', broken, '-e', 'stderr', '-t']);
    expect((await check.waitForExit(10000)).code).not.toBe(0);
    expect(check.output()).toMatch(/\[emerg\].*broken\.conf/);
  });
});
