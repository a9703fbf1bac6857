/**
 * docker/proxy stopped (SIGTERM) with a request in flight to a slow upstream on loopback: within
 * STOP_GRACE_SECONDS the request finishes, past it nginx is stopped fast; either way exit 0.
 */
import { once } from 'node:events';
import * as http from 'node:http';
import * as path from 'node:path';
import { sleep } from '../../rehearsal/processes';
import { freePort } from './support/free-port';
import { proxyEnv, startProxy } from './support/proxy-entrypoint';
import { get, group, requireProxyTools, useProxyWorkDir, workDir } from './support/proxy-suite';
import { waitForOutput } from './support/proxy-wait';

const { describeWithTools, nginx } = requireProxyTools();
useProxyWorkDir();

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
