/**
 * docker/proxy with two copies of the API and of the frontend (contract/services.ts, copyPorts):
 * the entry script's upstream lists rendered into one `server` per copy, balanced, and a copy that
 * stops (gracefully or killed) hidden from clients: a request that meets the dying copy is retried
 * on the other (proxy_next_upstream), and the dead copy is left out for its fail_timeout. Real
 * nginx, the real Go API and the frontend's shipped config, all on loopback; the requests are
 * sampled without pause while a copy goes, and every answer is counted.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { freePort } from './support/free-port';
import { buildGoBinary } from './support/go-build';
import { startApi, startFrontend } from './support/local-services';
import { proxyEnv, renderConfig, startProxy } from './support/proxy-entrypoint';
import { get, group, requireProxyTools, useProxyWorkDir, workDir } from './support/proxy-suite';
import { waitForOutput } from './support/proxy-wait';
import type { ServiceProcess } from './support/service-process';

const { tools, describeWithTools, nginx } = requireProxyTools();
useProxyWorkDir();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Tally {
  total: number;
  ok: number;
  statuses: Record<string, number>;
  maxConsecutiveFailures: number;
  perSecond: number;
}

/**
 * GETs `url` at `rate` a second (`parallel` loops, each paced) until `done()`; counts every answer
 * and failure. 48/s: under /api/'s limit of 50 requests/s per client address, which answers 429.
 */
async function sample(url: string, done: () => boolean, rate = 48, parallel = 4): Promise<Tally> {
  const tally: Tally = { total: 0, ok: 0, statuses: {}, maxConsecutiveFailures: 0, perSecond: 0 };
  let run = 0;
  const started = Date.now();
  const loop = async (): Promise<void> => {
    const gapMs = (1000 * parallel) / rate;
    let next = Date.now();
    while (!done()) {
      next += gapMs;
      let status = 'error';
      try {
        status = String((await get(url, { timeoutMs: 5000 })).status);
      } catch {
        // A failed request is a failure like a non-2xx.
      }
      tally.total += 1;
      tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
      if (status === '200') {
        tally.ok += 1;
        run = 0;
      } else {
        run += 1;
        tally.maxConsecutiveFailures = Math.max(tally.maxConsecutiveFailures, run);
      }
      await sleep(Math.max(0, next - Date.now()));
    }
  };
  await Promise.all(Array.from({ length: parallel }, loop));
  tally.perSecond = Math.round((tally.total * 1000) / Math.max(1, Date.now() - started));
  return tally;
}

describeWithTools('proxy with two copies of the API and of the frontend', () => {
  let apiBinary = '';
  let apiPorts: number[] = [];
  let frontendPorts: number[] = [];
  const apis: ServiceProcess[] = [];
  const frontends: ServiceProcess[] = [];
  let env: NodeJS.ProcessEnv;
  let base = '';
  let proxy: ServiceProcess;

  beforeAll(async () => {
    apiBinary = await buildGoBinary(String(tools.go), '.', path.join(workDir, 'api'));
    const [httpPort, httpsPort] = await Promise.all([freePort(), freePort()]);
    apiPorts = [await freePort(), await freePort()];
    frontendPorts = [await freePort(), await freePort()];
    for (const [i, port] of apiPorts.entries()) {
      // The API's own graceful stop as on ECS: a short drain with /readyz 503, then Shutdown.
      apis.push((await startApi(group, apiBinary, { port, env: { TASK_ID: `copy-${i + 1}`, DRAIN_DELAY: '200ms' } })).api);
    }
    for (const [i, port] of frontendPorts.entries()) {
      frontends.push(await startFrontend(group, nginx, path.join(workDir, `frontend-${i + 1}`), port));
    }
    env = proxyEnv({
      dir: path.join(workDir, 'copies'),
      nginx,
      httpPort,
      httpsPort,
      apiUpstream: apiPorts.map((p) => `127.0.0.1:${p}`).join(' '),
      frontendUpstream: frontendPorts.map((p) => `127.0.0.1:${p}`).join(' '),
    });
    base = `http://127.0.0.1:${httpPort}`;
    proxy = startProxy(group, env);
    await waitForOutput(proxy, /nginx started .*mode http\b/, 10000);
  }, 120000);

  test('one server line per copy, each with passive health (max_fails=1, fail_timeout=1s)', async () => {
    const config = readFileSync(await renderConfig(group, { ...env, PROXY_RUN_DIR: path.join(workDir, 'render') }), 'utf8');
    for (const port of [...apiPorts, ...frontendPorts]) expect(config).toContain(`server 127.0.0.1:${port} max_fails=1 fail_timeout=1s;`);
    expect(config).not.toContain('max_fails=0');
  });

  test('an upstream list with a bad word is refused with one line', async () => {
    const bad = startProxy(group, { ...env, API_UPSTREAM: `127.0.0.1:${apiPorts[0]} 127.0.0.1;x` });
    expect((await bad.waitForExit(10000)).code).not.toBe(0);
    expect(bad.output()).toContain('must be host:port, one per copy, separated by spaces');
  });

  test('the proxy balances /api/ over both copies', async () => {
    const tasks = new Set<string>();
    for (let i = 0; i < 20; i += 1) {
      const reply = await get(`${base}/api/status`);
      expect(reply.status).toBe(200);
      tasks.add((JSON.parse(reply.body) as { task: { id: string } }).task.id);
    }
    expect([...tasks].sort()).toEqual(['copy-1', 'copy-2']);
  });

  test.each([
    ['stopped gracefully (SIGTERM: drain, then exit)', 'SIGTERM' as const],
    ['killed (SIGKILL: connections reset, nothing drained)', 'SIGKILL' as const],
  ])('an API copy %s: not one failed request through the proxy', async (_how, signal) => {
    let stop = false;
    const sampling = sample(`${base}/api/status`, () => stop);
    await sleep(300);
    const stopped = apis.shift();
    await stopped?.stop(signal);
    await sleep(2500);
    stop = true;
    const tally = await sampling;
    console.log(`proxy, API copy ${signal}: ${JSON.stringify(tally)}`);
    if (tally.ok !== tally.total)
      console.log(
        proxy
          .output()
          .split('\n')
          .filter((l) => /error|upstream/.test(l))
          .slice(-8)
          .join('\n'),
      );
    expect(tally.perSecond).toBeGreaterThanOrEqual(40);
    expect(tally.statuses).toEqual({ 200: tally.total });
    expect(tally.maxConsecutiveFailures).toBe(0);
    // The copy comes back on its port, as swarm or ECS would start a new task.
    const port = apiPorts.shift() ?? 0;
    apis.push((await startApi(group, apiBinary, { port, env: { TASK_ID: 'copy-new', DRAIN_DELAY: '200ms' } })).api);
    apiPorts.push(port);
    // The proxy left the copy out for fail_timeout (1 s) after its last refused connection: the
    // next copy may only go once this one is back in (a rolling deploy waits as long, see README).
    await sleep(1200);
  });

  test('a frontend copy stopped (SIGQUIT, graceful): not one failed page', async () => {
    let stop = false;
    const sampling = sample(`${base}/`, () => stop);
    await sleep(300);
    await frontends[0]?.stop('SIGQUIT');
    await sleep(2500);
    stop = true;
    const tally = await sampling;
    console.log(`proxy, frontend copy SIGQUIT: ${JSON.stringify(tally)}`);
    expect(tally.perSecond).toBeGreaterThanOrEqual(40);
    expect(tally.statuses).toEqual({ 200: tally.total });
  });
});
