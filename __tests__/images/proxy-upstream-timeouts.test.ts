/**
 * docker/proxy's upstream policy for /api/, with real nginx and upstreams that misbehave on purpose
 * (servers in this test process, on loopback):
 * - an API that takes the connection and never answers (as a blackholed or wedged one) is a 504
 *   within the 2 s timeout, not the 30 s the frontend keeps, which still answers after 3 s;
 * - a kept-alive connection the API resets is tried again on a fresh one for GET, never for POST
 *   (a POST reaches the API exactly once).
 */
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePort } from './support/free-port';
import { proxyEnv, startProxy } from './support/proxy-entrypoint';
import { get, group, useProxyWorkDir, workDir } from './support/proxy-suite';
import { waitForOutput } from './support/proxy-wait';
import { requireTool } from './support/require-tool';

const nginx = requireTool('nginx', 'nginx');
const describeWithNginx = nginx === undefined ? describe.skip : describe;
useProxyWorkDir();

interface Sent {
  readonly status: number;
  readonly ms: number;
}

function send(method: 'GET' | 'POST', url: string, timeoutMs = 10_000): Promise<Sent> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, timeout: timeoutMs, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(method === 'POST' ? '{"title":"x"}' : undefined);
  });
}

function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describeWithNginx('proxy upstream policy for /api/ (timeouts, next upstream)', () => {
  let apiPort = 0;
  let frontendPort = 0;
  let base = '';
  let frontend: http.Server;

  beforeAll(async () => {
    const [httpPort, httpsPort] = await Promise.all([freePort(), freePort()]);
    [apiPort, frontendPort] = await Promise.all([freePort(), freePort()]);
    // A frontend that takes 3 s: more than /api/'s timeout, well inside the frontend's own.
    frontend = http.createServer((_req, res) => {
      setTimeout(() => res.end('slow but fine\n'), 3000);
    });
    await listen(frontend, frontendPort);
    const env = proxyEnv({
      dir: path.join(workDir, 'timeouts'),
      nginx: String(nginx),
      httpPort,
      httpsPort,
      apiUpstream: `127.0.0.1:${apiPort}`,
      frontendUpstream: `127.0.0.1:${frontendPort}`,
    });
    base = `http://127.0.0.1:${httpPort}`;
    const proxy = startProxy(group, env);
    await waitForOutput(proxy, /nginx started .*mode http\b/, 10000);
  }, 60000);

  afterAll(async () => {
    frontend.closeAllConnections();
    await close(frontend);
  });

  test('an API that never answers: 504 within the 2 s read timeout, for GET and POST; the slow frontend still answers', async () => {
    const held: net.Socket[] = [];
    const wedged = net.createServer((socket) => void held.push(socket));
    await listen(wedged, apiPort);
    try {
      const [getReply, postReply, page] = await Promise.all([
        send('GET', `${base}/api/status`),
        send('POST', `${base}/api/posts`),
        get(`${base}/`, { timeoutMs: 10_000 }),
      ]);
      console.log(
        `proxy: wedged API -> GET ${getReply.status} in ${getReply.ms} ms, POST ${postReply.status} in ${postReply.ms} ms; frontend (3 s) ${page.status} in ${page.ms} ms`,
      );
      for (const reply of [getReply, postReply]) {
        expect(reply.status).toBe(504);
        expect(reply.ms).toBeGreaterThanOrEqual(1900);
        expect(reply.ms).toBeLessThan(3500);
      }
      expect(page.status).toBe(200);
      expect(page.ms).toBeGreaterThanOrEqual(2900);
    } finally {
      for (const socket of held) socket.destroy();
      await close(wedged);
    }
  });

  test('a kept-alive connection reset by the API: GET tried again on a fresh one (200), POST never sent twice', async () => {
    // Answers the first request of each connection (kept alive), resets the connection on the next.
    const arrived = { GET: 0, POST: 0 };
    const resetting = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      arrived[req.method === 'POST' ? 'POST' : 'GET'] += 1;
      const socket = req.socket as net.Socket & { served?: boolean };
      if (socket.served === true) {
        socket.resetAndDestroy();
        return;
      }
      socket.served = true;
      req.resume();
      req.on('end', () => res.end('{"service":"api"}'));
    });
    await listen(resetting, apiPort);
    try {
      const gets: Sent[] = [];
      for (let i = 0; i < 20; i += 1) gets.push(await send('GET', `${base}/api/status`));
      const getArrivals = arrived.GET;
      const posts: Sent[] = [];
      for (let i = 0; i < 20; i += 1) posts.push(await send('POST', `${base}/api/posts`));
      const postStatuses = posts.map((p) => p.status);
      console.log(
        `proxy: resetting API -> 20 GETs all ${[...new Set(gets.map((g) => g.status))].join('/')} with ${getArrivals} arrivals; 20 POSTs ${postStatuses.filter((s) => s === 502).length}x 502 with ${arrived.POST} arrivals`,
      );
      // Every GET answered: the ones that met a reset connection were sent again (more arrivals than requests).
      expect(gets.every((g) => g.status === 200)).toBe(true);
      expect(getArrivals).toBeGreaterThan(20);
      // A POST that met a reset connection fails (502), and no POST arrived twice.
      expect(postStatuses.filter((s) => s === 502).length).toBeGreaterThan(0);
      expect(postStatuses.every((s) => s === 200 || s === 502)).toBe(true);
      expect(arrived.POST).toBe(20);
    } finally {
      resetting.closeAllConnections();
      await close(resetting);
    }
  });
});
