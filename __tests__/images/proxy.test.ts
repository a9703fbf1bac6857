/**
 * docker/proxy: the entry script and its nginx config, run on the host as the image runs them,
 * against real servers on loopback: the Go API built from docker/api, the frontend's shipped
 * nginx.conf and site, and a local ACME CA (Pebble) validating HTTP-01 against the proxy's nginx.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { httpGet, type HttpGetOptions, type HttpReply } from '../../rehearsal/http-check';
import { sleep } from '../../rehearsal/processes';
import { freePort } from './support/free-port';
import { buildGoBinary } from './support/go-build';
import { startApi, startFrontend } from './support/local-services';
import { nginxTest, proxyEnv, renderConfig, runEntrypoint, startProxy } from './support/proxy-entrypoint';
import { startPebble, type Pebble } from './support/proxy-pebble';
import { waitForOutput, waitUntil } from './support/proxy-wait';
import { FRONTEND_DIR } from './support/repo-paths';
import { requireTool } from './support/require-tool';
import { ProcessGroup, type ServiceProcess } from './support/service-process';

const tools = {
  nginx: requireTool('nginx', 'nginx'),
  openssl: requireTool('openssl', 'openssl'),
  lego: requireTool('lego', 'lego'),
  pebble: requireTool('pebble', 'pebble'),
  challtestsrv: requireTool('pebble-challtestsrv', 'pebble'),
  go: requireTool('go', 'golang-go'),
};
const describeWithTools = Object.values(tools).every((found) => found !== undefined) ? describe : describe.skip;
const nginx = tools.nginx ?? 'nginx';

/** One request, allowed 5 s unless said otherwise (more than the helper's 3 s: requests here meet nginx reloads and TLS handshakes). */
const get = (url: string, options: HttpGetOptions = {}): Promise<HttpReply> => httpGet(url, { timeoutMs: 5000, ...options });

let workDir = '';
let group: ProcessGroup;

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'proxy-test-'));
  // nginx workers run as www-data and read the ACME webroot below this directory.
  chmodSync(workDir, 0o755);
  group = new ProcessGroup(workDir);
});

afterAll(async () => {
  await group?.stopAll();
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

/** A real upstream that answers after `delayMs`: a request in flight while the proxy stops. */
async function startSlowUpstream(delayMs: number): Promise<{ readonly port: number; close(): void }> {
  const server = http.createServer((_req, res) => {
    setTimeout(() => res.end('slow ok\n'), delayMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { port: address.port, close: () => server.close() };
}

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

describeWithTools('proxy graceful stop with a request in flight', () => {
  test.each([
    { name: 'the request finishes, then exit 0', delayMs: 1500, grace: 10, status: 200, minMs: 1000, maxMs: 3000 },
    {
      name: 'past STOP_GRACE_SECONDS nginx is stopped fast, still exit 0',
      delayMs: 8000,
      grace: 1,
      status: 'cut',
      minMs: 800,
      maxMs: 3000,
    },
  ])('$name', async ({ delayMs, grace, status, minMs, maxMs }) => {
    const upstream = await startSlowUpstream(delayMs);
    try {
      const [httpPort, httpsPort] = await Promise.all([freePort(), freePort()]);
      const env = proxyEnv({
        dir: path.join(workDir, `stop-${grace}`),
        nginx,
        httpPort,
        httpsPort,
        stopGraceSeconds: grace,
        apiUpstream: `127.0.0.1:${upstream.port}`,
        frontendUpstream: `127.0.0.1:${upstream.port}`,
      });
      const proxy = startProxy(group, env);
      await waitForOutput(proxy, /nginx started/, 10000);
      const inFlight = get(`http://127.0.0.1:${httpPort}/api/slow`, { timeoutMs: 15000 }).then(
        (reply) => reply.status,
        () => 'cut' as const,
      );
      await sleep(300);
      const exit = await proxy.stop('SIGTERM', 20000);
      console.log(`proxy: SIGTERM to exit with a ${delayMs} ms request in flight, STOP_GRACE_SECONDS=${grace}: ${exit.ms} ms`);
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.ms).toBeGreaterThanOrEqual(minMs);
      expect(exit.ms).toBeLessThan(maxMs);
      expect(await inFlight).toBe(status);
    } finally {
      upstream.close();
    }
  });
});

describeWithTools('proxy certificates from a real ACME CA (Pebble, HTTP-01)', () => {
  const domain = 'proxy.pebble.test';
  let pebble: Pebble;
  let env: NodeJS.ProcessEnv;
  let proxy: ServiceProcess;
  let httpsUrl = '';
  let certFile = '';

  const serialOnDisk = (): string =>
    execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-serial'], { encoding: 'utf8' })
      .trim()
      .replace(/^serial=/, '');
  const getHttps = (urlPath: string) => get(`${httpsUrl}${urlPath}`, { servername: domain, ca: pebble.issuingRootPem });
  const servedSerial = async (): Promise<string | undefined> => (await getHttps('/healthz')).tls?.serial;

  beforeAll(async () => {
    const dir = path.join(workDir, 'acme-test');
    mkdirSync(dir, { mode: 0o755 });
    const [httpPort, httpsPort, idlePort] = await Promise.all([freePort(), freePort(), freePort()]);
    pebble = await startPebble(group, dir, httpPort);
    env = proxyEnv({
      dir,
      nginx,
      lego: tools.lego,
      httpPort,
      httpsPort,
      domain,
      // Nothing listens there: these tests are about certificates, and /healthz needs no upstream.
      apiUpstream: `127.0.0.1:${idlePort}`,
      frontendUpstream: `127.0.0.1:${idlePort}`,
      acmeDirectory: pebble.directoryUrl,
      acmeCaFile: pebble.listenerCaFile,
    });
    httpsUrl = `https://127.0.0.1:${httpsPort}`;
    // One lego data dir per ACME directory host, under the volume.
    certFile = path.join(dir, 'acme', new URL(pebble.directoryUrl).host.replace(':', '_'), 'certificates', `${domain}.crt`);
  }, 60000);

  test('first start: bootstrap certificate, Pebble certificate over HTTP-01, HTTPS serves it', async () => {
    proxy = startProxy(group, env);
    try {
      await waitForOutput(proxy, /nginx reloaded \(mode tls\)/, 30000);
      expect(proxy.output()).toMatch(/self-signed bootstrap certificate/);
      expect(proxy.output()).toMatch(/"GET \/\.well-known\/acme-challenge\/\S+ HTTP\/1\.1" 200 .*Pebble/);
      expect(pebble.orders()).toBe(1);

      // `nginx -s reload` returns before the new workers take over: the first handshakes may
      // still get the bootstrap certificate, which the chain check rejects.
      await waitUntil('HTTPS to serve the Pebble certificate', async () => (await servedSerial()) === serialOnDisk(), 5000);
      const reply = await getHttps('/healthz');
      expect(reply).toMatchObject({ status: 200, body: 'ok\n' });
      expect(reply.tls).toEqual({ serial: serialOnDisk(), issuerCN: expect.stringMatching(/^Pebble Intermediate CA/), authorized: true });
      expect(reply.headers['strict-transport-security']).toBe('max-age=63072000');

      const plain = await get(`http://127.0.0.1:${env.HTTP_PORT}/some/page?q=1`);
      expect(plain.status).toBe(301);
      expect(plain.headers.location).toBe(`https://${domain}:${env.HTTPS_PORT}/some/page?q=1`);
      expect((await get(`http://127.0.0.1:${env.HTTP_PORT}/healthz`)).status).toBe(200);
    } finally {
      expect(await proxy.stop('SIGTERM')).toMatchObject({ code: 0 });
    }
  });

  test('second start: reuses the certificate on the volume, no new order', async () => {
    const serial = serialOnDisk();
    proxy = startProxy(group, env);
    await waitForOutput(proxy, /nginx started .*mode tls/, 10000);
    expect(proxy.output()).toMatch(/reusing the certificate on the volume .* no ACME order/);
    expect(await servedSerial()).toBe(serial);
    await sleep(1000); // a stray order would start right after nginx
    expect(pebble.orders()).toBe(1);
    expect(proxy.output()).not.toMatch(/ordering a certificate|renewal/);
    expect(serialOnDisk()).toBe(serial);
  });

  test('entrypoint.sh renew --force replaces the certificate; the reload fails no request', async () => {
    const oldSerial = serialOnDisk();
    let loadRunning = true;
    let served = 0;
    const failures: string[] = [];
    const seen = new Set<string>();
    const client = async (): Promise<void> => {
      while (loadRunning) {
        try {
          const reply = await getHttps('/healthz');
          if (reply.status === 200) served += 1;
          else failures.push(`status ${reply.status}`);
          if (reply.tls !== undefined) seen.add(reply.tls.serial);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const clients = [client(), client(), client()];
    let output = '';
    try {
      output = await runEntrypoint(group, env, ['renew', '--force']);
      await waitUntil('HTTPS to serve the new certificate', async () => (await servedSerial()) === serialOnDisk(), 5000);
      await sleep(300);
    } finally {
      loadRunning = false;
      await Promise.all(clients);
    }
    const newSerial = serialOnDisk();
    console.log(`proxy: ${served} HTTPS requests during the forced renewal, ${failures.length} failed`);
    expect(newSerial).not.toBe(oldSerial);
    expect(output).toMatch(/nginx reloaded \(mode tls\)/);
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(20);
    expect(seen).toEqual(new Set([oldSerial, newSerial]));
    expect(pebble.orders()).toBe(2);
  });

  test('SIGUSR1 makes the running proxy renew now', async () => {
    const oldSerial = serialOnDisk();
    proxy.child.kill('SIGUSR1');
    await waitForOutput(proxy, /new certificate for proxy\.pebble\.test/, 30000);
    await waitForOutput(proxy, /nginx reloaded \(mode tls\)/, 5000);
    expect(serialOnDisk()).not.toBe(oldSerial);
    expect(pebble.orders()).toBe(3);
    await waitUntil('HTTPS to serve the renewed certificate', async () => (await servedSerial()) === serialOnDisk(), 5000);
  });

  test('SIGTERM with the renewal loop running: exit 0 at once', async () => {
    const exit = await proxy.stop('SIGTERM');
    console.log(`proxy (DOMAIN set, renewal loop running): SIGTERM to exit: ${exit.ms} ms`);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(2000);
    expect(proxy.output()).toMatch(/stopped in \d+ ms/);
  });

  test('RENEW_DAYS and RENEW_INTERVAL_SECONDS: a certificate closer to expiry is renewed at start, then on schedule', async () => {
    // Pebble's certificates are valid for 5 years: with RENEW_DAYS=2000 every check renews.
    const ordersBefore = pebble.orders();
    const serial = serialOnDisk();
    proxy = startProxy(group, { ...env, RENEW_DAYS: '2000', RENEW_INTERVAL_SECONDS: '1' });
    try {
      await waitForOutput(proxy, /expires within 2000 days: renewing now/, 10000);
      await waitForOutput(proxy, /new certificate for proxy\.pebble\.test/, 30000, 2);
      expect(proxy.output()).not.toMatch(/forced renewal/);
      expect(pebble.orders()).toBeGreaterThanOrEqual(ordersBefore + 2);
      expect(serialOnDisk()).not.toBe(serial);
    } finally {
      expect(await proxy.stop('SIGTERM')).toMatchObject({ code: 0 });
    }
  });

  test('the entry script refuses a DOMAIN that is not a host name', async () => {
    await expect(runEntrypoint(group, { ...env, DOMAIN: 'bad domain;' }, ['render'])).rejects.toThrow(
      /DOMAIN 'bad domain;' is not a host name/,
    );
  });
});
