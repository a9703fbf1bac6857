/**
 * The proxy's limits on /api/ (docker/proxy/templates), with real nginx run by the entry script as
 * the image runs it: per client 50 requests/s with bursts of 100 (limit_req) and 32 connections
 * (limit_conn), beyond which the proxy answers 429 with Retry-After itself. The frontend is not
 * limited. Upstreams: the Go API built from docker/api and the shipped frontend; for the
 * connection limit, an API stand-in on loopback that holds its answers until told.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as path from 'node:path';
import { freePort } from './support/free-port';
import { buildGoBinary } from './support/go-build';
import { startApi, startFrontend } from './support/local-services';
import { proxyEnv, startProxy } from './support/proxy-entrypoint';
import { get, group, requireProxyTools, useProxyWorkDir, workDir } from './support/proxy-suite';
import { waitForOutput, waitUntil } from './support/proxy-wait';
import type { HttpReply } from '../../rehearsal/http-check';
import { sleep } from '../../rehearsal/processes';

const { tools, describeWithTools, nginx } = requireProxyTools();
useProxyWorkDir();

/** `n` GETs of `url`, `concurrency` at a time, as fast as they are answered. */
async function flood(url: string, n: number, concurrency: number): Promise<HttpReply[]> {
  const replies: HttpReply[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next += 1;
      replies.push(await get(url));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return replies;
}

function countByStatus(replies: readonly HttpReply[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of replies) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/** Starts the proxy in plain HTTP mode in front of the two upstreams; returns its base URL. */
async function proxyInFront(name: string, apiUpstream: string, frontendUpstream: string): Promise<string> {
  const [httpPort, httpsPort] = await Promise.all([freePort(), freePort()]);
  const env = proxyEnv({ dir: path.join(workDir, name), nginx, httpPort, httpsPort, apiUpstream, frontendUpstream });
  const proxy = startProxy(group, env);
  await waitForOutput(proxy, /nginx started .*mode http\b/, 10000);
  return `http://127.0.0.1:${httpPort}`;
}

describeWithTools('proxy limits on /api/: 429 with Retry-After beyond them, the frontend untouched', () => {
  let base = '';

  beforeAll(async () => {
    const apiBinary = await buildGoBinary(String(tools.go), '.', path.join(workDir, 'api'));
    const frontendPort = await freePort();
    const { port: apiPort } = await startApi(group, apiBinary);
    await startFrontend(group, nginx, path.join(workDir, 'frontend'), frontendPort);
    base = await proxyInFront('requests', `127.0.0.1:${apiPort}`, `127.0.0.1:${frontendPort}`);
  }, 120000);

  test('a flood of /api/status from one client: a burst of about 100 answered, the rest 429 at once; "/" stays 200 throughout', async () => {
    const started = Date.now();
    const [api, site] = await Promise.all([flood(`${base}/api/status`, 400, 20), flood(`${base}/`, 100, 4)]);
    const seconds = (Date.now() - started) / 1000;
    const counts = countByStatus(api);
    console.log(
      `proxy limits: 400 GETs of /api/status in ${seconds.toFixed(2)} s: ${JSON.stringify(counts)}; "/": ${JSON.stringify(countByStatus(site))}`,
    );
    // The burst (100) plus 50/s for however long the flood took, never everything, never other statuses.
    expect(counts[200]).toBeGreaterThanOrEqual(100);
    expect(counts[200]).toBeLessThanOrEqual(101 + Math.ceil(50 * seconds));
    expect(counts[429]).toBe(400 - (counts[200] ?? 0));
    expect(site.every((r) => r.status === 200)).toBe(true);

    const limited = api.find((r) => r.status === 429);
    expect(limited?.headers['retry-after']).toBe('1');
    expect(limited?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(limited?.body ?? '')).toEqual({ error: 'too many requests' });
    const slowest429 = Math.max(...api.filter((r) => r.status === 429).map((r) => r.ms));
    expect(slowest429).toBeLessThan(1000);
  });

  test('right after the flood, a client back at 20/s is answered at once, every time', async () => {
    const first = Date.now();
    await waitUntil('/api/status 200 after the flood', async () => (await get(`${base}/api/status`)).status === 200, 1000);
    console.log(`proxy limits: first 200 ${Date.now() - first} ms after the flood`);
    const paced: HttpReply[] = [];
    for (let i = 0; i < 20; i += 1) {
      await sleep(50);
      paced.push(await get(`${base}/api/status`));
    }
    expect(countByStatus(paced)).toEqual({ 200: 20 });
  });
});

describeWithTools('proxy limits on /api/: at most 32 connections per client in flight', () => {
  let base = '';
  let held: ServerResponse[] = [];
  let upstream: Server;

  beforeAll(async () => {
    upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/api/hold') {
        held.push(res);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"service":"api"}');
    });
    const apiPort = await freePort();
    await new Promise<void>((resolve) => upstream.listen(apiPort, '127.0.0.1', resolve));
    const frontendPort = await freePort();
    await startFrontend(group, nginx, path.join(workDir, 'frontend-conn'), frontendPort);
    base = await proxyInFront('connections', `127.0.0.1:${apiPort}`, `127.0.0.1:${frontendPort}`);
  }, 120000);

  afterAll(async () => {
    for (const res of held) res.end();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  test('40 requests held upstream at once: 32 reach the API, 8 are answered 429 at once; released, the 32 answer 200', async () => {
    held = [];
    const pending = Array.from({ length: 40 }, () => get(`${base}/api/hold`, { timeoutMs: 10_000 }));
    const early: HttpReply[] = [];
    for (const p of pending) void p.then((r) => early.push(r));
    await waitUntil('32 held upstream and 8 refused', async () => held.length === 32 && early.length === 8, 5000);
    expect(early.map((r) => r.status)).toEqual(Array(8).fill(429));
    // Meanwhile the frontend answers.
    expect((await get(`${base}/`)).status).toBe(200);

    for (const res of held) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"service":"api"}');
    }
    const all = await Promise.all(pending);
    expect(countByStatus(all)).toEqual({ 200: 32, 429: 8 });
    expect(held).toHaveLength(32);
  });
});
