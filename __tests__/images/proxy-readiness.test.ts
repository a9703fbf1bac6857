/**
 * The proxy's readiness (contract/services.ts PROXY_READINESS_PATH), which the network load
 * balancer checks on port 80 when there is more than one instance (stacks/load-balancer.ts): 200
 * only while an API copy and a frontend copy on the host answer, and answered on port 80 in every mode (with a real
 * certificate plain HTTP redirects everything else to HTTPS, so a 301 must never be what the
 * balancer sees). The entry script and nginx run on the host as the image runs them, with real
 * API copies built from docker/api and, for the certificate mode, a real ACME CA (Pebble).
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as path from 'node:path';
import { PROXY_READINESS_PATH } from '../../contract/services';
import { HEALTH_CHECK } from '../../stacks/load-balancer';
import { freePort } from './support/free-port';
import { buildGoBinary } from './support/go-build';
import { startApi } from './support/local-services';
import { proxyEnv, startProxy } from './support/proxy-entrypoint';
import { startPebble } from './support/proxy-pebble';
import { get, group, requireProxyTools, useProxyWorkDir, workDir } from './support/proxy-suite';
import { waitForOutput, waitUntil } from './support/proxy-wait';
import type { ServiceProcess } from './support/service-process';

const { tools, describeWithTools, nginx } = requireProxyTools();
useProxyWorkDir();

let apiBinary = '';

/** A frontend copy as far as readiness cares: 200 on its health path (the real one's is nginx serving the site). */
async function frontendCopy(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(req.url === '/healthz' ? 'ok\n' : 'not found\n');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
const closeServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));
beforeAll(async () => {
  if (tools.go !== undefined) apiBinary = await buildGoBinary(String(tools.go), '.', path.join(workDir, 'api'));
}, 120000);

describeWithTools('proxy readiness, no DOMAIN (plain HTTP), two API copies and a frontend copy', () => {
  let base = '';
  let ports: number[] = [];
  let copies: ServiceProcess[] = [];
  let proxy: ServiceProcess;
  let frontend: Server;
  let frontendPort = 0;

  afterAll(async () => {
    if (frontend?.listening) await closeServer(frontend);
  });

  beforeAll(async () => {
    const [httpPort, httpsPort] = await Promise.all([freePort(), freePort()]);
    frontendPort = await freePort();
    frontend = await frontendCopy(frontendPort);
    ports = [await freePort(), await freePort()];
    copies = await Promise.all(ports.map(async (port) => (await startApi(group, apiBinary, { port })).api));
    const env = proxyEnv({
      dir: path.join(workDir, 'readiness-http'),
      nginx,
      httpPort,
      httpsPort,
      apiUpstream: ports.map((p) => `127.0.0.1:${p}`).join(' '),
      frontendUpstream: `127.0.0.1:${frontendPort}`,
    });
    base = `http://127.0.0.1:${httpPort}`;
    proxy = startProxy(group, env);
    await waitForOutput(proxy, /nginx started .*mode http\b/, 10000);
  }, 60000);

  test(`GET ${PROXY_READINESS_PATH} is 200 with the API's own readiness while both copies run`, async () => {
    const reply = await get(`${base}${PROXY_READINESS_PATH}`);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: 'ready' });
  });

  test('no frontend copy answering: not 200 (an instance that cannot serve the site leaves the balancer); back once it answers', async () => {
    await closeServer(frontend);
    const reply = await get(`${base}${PROXY_READINESS_PATH}`);
    console.log(`proxy: ${PROXY_READINESS_PATH} with no frontend copy: ${reply.status} in ${reply.ms} ms`);
    expect(reply.status).toBe(500);
    expect(reply.ms).toBeLessThan(HEALTH_CHECK.timeoutSeconds * 1000);
    expect((await get(`${base}/api/status`)).status).toBe(200);
    frontend = await frontendCopy(frontendPort);
    await waitUntil('readiness to be 200 again', async () => (await get(`${base}${PROXY_READINESS_PATH}`)).status === 200, 3000);
  });

  test('one copy stopped: still 200 (the other local copy covers it), every time', async () => {
    await copies[0].stop('SIGKILL');
    for (let i = 0; i < 6; i++) expect((await get(`${base}${PROXY_READINESS_PATH}`)).status).toBe(200);
  });

  test("both copies stopped: not 200, answered well within the balancer's check timeout; /healthz stays 200", async () => {
    await copies[1].stop('SIGKILL');
    const reply = await get(`${base}${PROXY_READINESS_PATH}`);
    console.log(`proxy: ${PROXY_READINESS_PATH} with no API copy: ${reply.status} in ${reply.ms} ms`);
    expect(reply.status).toBe(502);
    expect(reply.ms).toBeLessThan(HEALTH_CHECK.timeoutSeconds * 1000);
    // The proxy's own liveness does not depend on the API: only readiness takes the instance out.
    expect((await get(`${base}/healthz`)).status).toBe(200);
  });

  test("a copy back: 200 again once nginx's 1 s passive-health window is over (well inside one 10 s check interval)", async () => {
    copies[0] = (await startApi(group, apiBinary, { port: ports[0] })).api;
    const started = Date.now();
    await waitUntil('readiness to be 200 again', async () => (await get(`${base}${PROXY_READINESS_PATH}`)).status === 200, 3000);
    console.log(`proxy: ${PROXY_READINESS_PATH} 200 again ${Date.now() - started} ms after a copy came back`);
    expect(Date.now() - started).toBeLessThan(HEALTH_CHECK.intervalSeconds * 1000);
  });
});

describeWithTools('proxy readiness with a real certificate (plain HTTP redirects the rest to HTTPS)', () => {
  const domain = 'proxy.pebble.test';

  test(`port 80 answers ${PROXY_READINESS_PATH} itself (200 from an API copy), not with the redirect`, async () => {
    const dir = path.join(workDir, 'readiness-tls');
    mkdirSync(dir, { mode: 0o755 });
    const [httpPort, httpsPort, frontendPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const frontendServer = await frontendCopy(frontendPort);
    const { port: apiPort } = await startApi(group, apiBinary);
    const pebble = await startPebble(group, dir, httpPort);
    const env = proxyEnv({
      dir,
      nginx,
      lego: tools.lego,
      httpPort,
      httpsPort,
      domain,
      apiUpstream: `127.0.0.1:${apiPort}`,
      frontendUpstream: `127.0.0.1:${frontendPort}`,
      acmeDirectory: pebble.directoryUrl,
      acmeCaFile: pebble.listenerCaFile,
    });
    const proxy = startProxy(group, env);
    try {
      await waitForOutput(proxy, /nginx reloaded \(mode tls\)/, 30000);
      const plain = `http://127.0.0.1:${httpPort}`;
      // `nginx -s reload` returns before the new workers take over: wait for the redirect mode.
      await waitUntil('plain HTTP to redirect', async () => (await get(`${plain}/api/status`)).status === 301, 5000);
      const reply = await get(`${plain}${PROXY_READINESS_PATH}`);
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body)).toEqual({ status: 'ready' });
    } finally {
      await closeServer(frontendServer);
      expect(await proxy.stop('SIGTERM')).toMatchObject({ code: 0 });
    }
  }, 60000);
});
