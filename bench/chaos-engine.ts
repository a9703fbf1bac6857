/**
 * Chaos engine benchmark: what the engine itself adds to each probe sample, and how many samples a
 * second the availability sampler achieves, against an HTTP server on 127.0.0.1 that answers at
 * once. Bounded (BENCH_SECONDS per step, 2 by default; every step ends by itself) and loopback only.
 * Prints figures; asserts nothing.
 *
 *   node --import tsx bench/chaos-engine.ts        (BENCH_SECONDS=5 for steadier figures)
 */
import { request, createServer, type Server } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { outputsFor } from '../__tests__/chaos/helpers/outputs-fixture';
import { FAULT_CATALOG } from '../chaos/drivers';
import { AvailabilitySampler } from '../chaos/sampling/availability-sampler';
import type { ClientFactories } from '../chaos/adapters/aws-clients';
import { createFaultRecord } from '../chaos/faults/fault-record';
import { bindTarget } from '../chaos/targets/bind-target';
import { runActivity, type ActivityEnvironment } from '../chaos/engine/activity';
import { systemClock } from '../chaos/engine/clock';
import { silentSink } from '../chaos/engine/events';
import { parseExperimentDocument } from '../chaos/model/load-experiment';

const seconds = Number(process.env.BENCH_SECONDS || 2);
const noAws = (): never => {
  throw new Error('the benchmark never calls AWS');
};
const clients: ClientFactories = { ecs: noAws, ec2: noAws, autoScaling: noAws, cloudWatch: noAws, ssm: noAws, sts: noAws };

function startServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
    res.end('ok');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}` });
    }),
  );
}

/** One GET on a fresh connection with nothing around it: the floor every probe pays. */
function bareGet(url: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(performance.now() - started));
    });
    req.on('error', reject);
    req.end();
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

/** Runs `once` back to back for the step's duration (at least 20 times); returns each duration. */
async function repeat(once: () => Promise<number>): Promise<number[]> {
  const until = performance.now() + seconds * 1000;
  const times: number[] = [];
  while (performance.now() < until || times.length < 20) times.push(await once());
  return times;
}

async function main(): Promise<void> {
  const { server, url } = await startServer();
  try {
    console.log(
      `chaos engine benchmark on ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(2) ?? '?'}, ${seconds} s per step, server ${url}`,
    );

    const bare = await repeat(() => bareGet(`${url}/healthz`));
    const floor = median(bare);
    console.log(
      `bare GET, fresh connection            median ${floor.toFixed(3)} ms   p95 ${percentile(bare, 95).toFixed(3)} ms   (${bare.length} requests)`,
    );

    // A probe the way a run executes it: tolerance, events and the journal entry included.
    const experiment = parseExperimentDocument(
      {
        title: 'bench',
        description: 'd',
        'steady-state-hypothesis': {
          title: 'answers',
          probes: [
            { type: 'probe', name: 'health', provider: { type: 'fault', id: 'http:get', arguments: { path: '/healthz' } }, tolerance: 200 },
          ],
        },
        method: [{ type: 'probe', name: 'noop', provider: { type: 'fault', id: 'http:get', arguments: {} } }],
      },
      'bench.yaml',
      { catalog: FAULT_CATALOG, env: {} },
    );
    const probe = experiment.hypothesis?.probes[0];
    if (probe === undefined) throw new Error('no probe');
    const outputs = outputsFor(url);
    const env: ActivityEnvironment = {
      outputs,
      target: bindTarget(outputs, { clients }),
      record: createFaultRecord(),
      clock: systemClock,
      events: silentSink,
      cwd: process.cwd(),
      processEnv: {},
      secrets: [],
      activityTimeout: experiment.activityTimeout,
    };
    const signal = new AbortController().signal;
    const probes = await repeat(async () => {
      const started = performance.now();
      const outcome = await runActivity(probe, 'hypothesis-before', env, signal);
      if (outcome.run.status !== 'succeeded' || outcome.run.tolerance_met !== true)
        throw new Error('the probe failed against the bench server');
      return performance.now() - started;
    });
    const probeMedian = median(probes);
    console.log(
      `engine probe (runActivity, http:get)   median ${probeMedian.toFixed(3)} ms   p95 ${percentile(probes, 95).toFixed(3)} ms   overhead ${(probeMedian - floor).toFixed(3)} ms per probe over the bare GET`,
    );

    // The availability sampler at fixed rates: achieved rate, latency it measures, CPU per sample.
    console.log('availability sampler (fixed schedule, fresh connection per sample; CPU counts this process, the server included):');
    let achievable = 0;
    for (const rate of [20, 100, 250, 500, 1000]) {
      const cpuBefore = process.cpuUsage();
      const sampler = new AvailabilitySampler({
        target: { url: `${url}/healthz`, method: 'GET', headers: {}, expectStatus: [200], timeoutMs: 2000, verifyTls: true },
        rate,
        timeoutMs: 2000,
        maxDurationMs: seconds * 1000,
      });
      sampler.start();
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 50));
      const samples = await sampler.stop();
      const cpu = process.cpuUsage(cpuBefore);
      const ok = samples.filter((s) => s.ok).length;
      const achieved = samples.length / seconds;
      const latencies = samples.map((s) => s.latencyMs);
      if (achieved >= 0.95 * rate && ok === samples.length) achievable = Math.max(achievable, achieved);
      console.log(
        `  asked ${String(rate).padStart(4)}/s  achieved ${achieved.toFixed(1).padStart(6)}/s (${((100 * achieved) / rate).toFixed(0)} %)  ok ${ok}/${samples.length}  latency median ${median(latencies).toFixed(2)} ms (overhead ${(median(latencies) - floor).toFixed(2)} ms) p95 ${percentile(latencies, 95).toFixed(2)} ms  CPU ${((cpu.user + cpu.system) / 1000 / Math.max(1, samples.length)).toFixed(3)} ms per sample`,
      );
    }
    console.log(
      `achievable sample rate (>= 95 % of the asked rate, every sample ok): ${achievable.toFixed(0)}/s; experiments may ask up to 100/s, the issue wants at least 20/s`,
    );
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
