/**
 * Does the availability sampler keep its schedule with several probes at a high rate? Samples two
 * URLs at once (as an experiment sampling the frontend and the API does) at each rate for a few
 * seconds and prints, per probe: samples sent against the ideal count, the achieved rate, the
 * spacing of consecutive sends (p50 / p95 / max), how late a send was against its slot on the
 * ideal grid (p95 / max), and the latency of the answers. Prints figures; asserts nothing.
 *
 *   node --import tsx bench/sampler-rate.ts
 *       a local HTTP server on 127.0.0.1 stands in for both services
 *   BENCH_URLS=http://127.0.0.1/,http://127.0.0.1/api/status node --import tsx bench/sampler-rate.ts
 *       the rehearsal's proxy (bring it up first, inside the e2e lock)
 *
 * BENCH_RATES=50,100 (per probe, default 50,100); BENCH_SECONDS=10 (default 10).
 */
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { AvailabilitySampler } from '../chaos/sampling/availability-sampler';
import { SamplerSet } from '../chaos/sampling/sampler-set';
import type { AvailabilitySample } from '../contract/journal';

const rates = (process.env.BENCH_RATES ?? '50,100').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

async function localServer(): Promise<{ urls: string[]; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(req.url?.startsWith('/api') ? '{"service":"api"}' : '<html>ok</html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    urls: [`http://127.0.0.1:${port}/`, `http://127.0.0.1:${port}/api/status`],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function report(probe: string, rate: number, samples: readonly AvailabilitySample[]): string {
  const mine = samples.filter((s) => s.probe === probe);
  const period = 1000 / rate;
  const spacing = mine.slice(1).map((s, i) => s.t - (mine[i]?.t ?? 0));
  const late = mine.map((s, i) => s.t - i * period);
  const latency = mine.filter((s) => s.ok).map((s) => s.latencyMs);
  const ideal = Math.ceil(rate * seconds);
  const span = (mine.at(-1)?.t ?? 0) / 1000;
  const achieved = span > 0 ? (mine.length - 1) / span : 0;
  return (
    `${probe.padEnd(10)} ${String(mine.length).padStart(5)}/${String(ideal).padEnd(5)} ${achieved.toFixed(1).padStart(6)}/s  ` +
    `spacing ${percentile(spacing, 50).toFixed(0)} / ${percentile(spacing, 95).toFixed(0)} / ${Math.max(0, ...spacing).toFixed(0)} ms  ` +
    `late p95 ${percentile(late, 95).toFixed(0)} ms, max ${Math.max(0, ...late).toFixed(0)} ms  ` +
    `failed ${mine.filter((s) => !s.ok).length}  latency p50 ${percentile(latency, 50).toFixed(1)} / p95 ${percentile(latency, 95).toFixed(1)} ms`
  );
}

async function main(): Promise<void> {
  const given = process.env.BENCH_URLS?.split(',').filter(Boolean);
  const local = given === undefined ? await localServer() : null;
  const urls = given ?? local?.urls ?? [];
  console.log(
    `sampler schedule on ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(2)}; ${urls.length} probes at once, ${seconds} s per rate: ${urls.join(', ')}`,
  );
  console.log('probe      sent/ideal   rate     spacing p50 / p95 / max   lateness against the ideal grid   failed   answers');
  try {
    for (const rate of rates) {
      const probes = urls.map((url, i) => ({
        probe: i === 0 ? 'frontend' : i === 1 ? 'api' : `probe-${i}`,
        sampler: new AvailabilitySampler({
          target: { url, method: 'GET', headers: {}, expectStatus: 'success', timeoutMs: 2000, verifyTls: false },
          rate,
          timeoutMs: 2000,
          maxDurationMs: seconds * 1000,
        }),
      }));
      const set = new SamplerSet(probes);
      set.start();
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + 100));
      const samples = await set.stop();
      console.log(`-- ${rate}/s per probe (${rate * probes.length}/s in all)`);
      for (const { probe } of probes) console.log(report(probe, rate, samples));
    }
  } finally {
    await local?.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
