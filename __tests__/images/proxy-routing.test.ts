/**
 * docker/proxy without DOMAIN (plain HTTP, the local rehearsal's mode): the entry script and its
 * nginx config, run on the host as the image runs them, routing to real upstreams on loopback:
 * the Go API built from docker/api and the frontend's shipped nginx.conf and site.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { freePort } from './support/free-port';
import { buildGoBinary } from './support/go-build';
import { startApi, startFrontend } from './support/local-services';
import { nginxTest, proxyEnv, renderConfig, startProxy } from './support/proxy-entrypoint';
import { get, group, requireProxyTools, useProxyWorkDir, workDir } from './support/proxy-suite';
import { waitForOutput } from './support/proxy-wait';
import { FRONTEND_DIR } from './support/repo-paths';
import type { ServiceProcess } from './support/service-process';

const { tools, describeWithTools, nginx } = requireProxyTools();
useProxyWorkDir();

describeWithTools('proxy routing, no DOMAIN (plain HTTP, local rehearsal mode)', () => {
  let env: NodeJS.ProcessEnv;
  let apiBinary = '';
  let apiPort = 0;
  let api: ServiceProcess;
  let proxy: ServiceProcess;
  let base = '';

  beforeAll(async () => {
    apiBinary = await buildGoBinary(String(tools.go), '.', path.join(workDir, 'api'));
    const [httpPort, httpsPort, frontendPort] = await Promise.all([freePort(), freePort(), freePort()]);
    apiPort = await freePort();
    ({ api } = await startApi(group, apiBinary, { port: apiPort }));
    await startFrontend(group, nginx, path.join(workDir, 'frontend'), frontendPort);
    env = proxyEnv({
      dir: path.join(workDir, 'routing'),
      nginx,
      httpPort,
      httpsPort,
      apiUpstream: `127.0.0.1:${apiPort}`,
      frontendUpstream: `127.0.0.1:${frontendPort}`,
    });
    base = `http://127.0.0.1:${httpPort}`;
  }, 120000);

  test('the config rendered by the entry script passes nginx -t', async () => {
    const configFile = await renderConfig(group, env);
    expect(readFileSync(configFile, 'utf8')).toContain(`server ${env.API_UPSTREAM} max_fails=0;`);
    expect(await nginxTest(group, env, configFile)).toMatch(/test is successful/);
  });

  test('starts, and says it serves plain HTTP', async () => {
    proxy = startProxy(group, env);
    await waitForOutput(proxy, /nginx started .*mode http\b/, 10000);
    expect(proxy.output()).toContain('no DOMAIN: serving plain HTTP (local rehearsal mode)');
  });

  test.each([
    ['/', 'the frontend', 'html/index.html'],
    ['/styles.css', 'the frontend', 'html/styles.css'],
    ['/api/status', 'the API', 'JSON from the API'],
    ['/healthz', 'nginx itself', 'ok'],
  ])('GET %s is answered by %s (%s)', async (urlPath, _who, expected) => {
    const reply = await get(`${base}${urlPath}`);
    expect(reply.status).toBe(200);
    if (expected.startsWith('html/')) {
      expect(reply.body).toBe(readFileSync(path.join(FRONTEND_DIR, 'site', expected.slice(5)), 'utf8'));
    } else if (urlPath === '/api/status') {
      expect(JSON.parse(reply.body)).toMatchObject({ service: 'api' });
    } else {
      expect(reply.body).toBe('ok\n');
    }
  });

  test('API stopped: 502 at once and /healthz still 200; API back: 200 at once', async () => {
    await api.stop('SIGTERM');
    const down = await get(`${base}/api/status`);
    console.log(`proxy: 502 with the API stopped, answered in ${down.ms} ms`);
    expect(down.status).toBe(502);
    expect(down.ms).toBeLessThan(1000);
    expect((await get(`${base}/healthz`)).status).toBe(200);

    ({ api } = await startApi(group, apiBinary, { port: apiPort }));
    // max_fails=0: no 10 s "no live upstreams" after the failure above.
    expect((await get(`${base}/api/status`)).status).toBe(200);
  });

  test('SIGTERM: exit 0 at once when idle', async () => {
    const exit = await proxy.stop('SIGTERM');
    console.log(`proxy: SIGTERM to exit, idle: ${exit.ms} ms`);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(2000);
    expect(proxy.output()).toMatch(/stopped in \d+ ms/);
    await expect(get(`${base}/healthz`, { timeoutMs: 1000 })).rejects.toThrow(/ECONNREFUSED/);
  });
});
