/**
 * Report benchmark: how long rendering the HTML and Markdown reports of one journal with 10,000
 * availability samples takes (a 500 s recovery window at 20 samples a second). The goal is ≤ 2 s for
 * both together, the charting library's first load included. Prints figures; asserts nothing.
 *
 *   npm run bench:report
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { readableJournalSchema, type ReadableJournal } from '../contract/journal';
import { renderReport } from '../chaos/report/render';

const SAMPLES = 10_000;
const RATE = 20;

/** A deterministic journal: healthy, then a 30 s outage (timeouts, then 503s), then healthy again. */
function syntheticJournal(): ReadableJournal {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const samples = Array.from({ length: SAMPLES }, (_, i) => {
    const t = Math.round((i * 1000) / RATE);
    if (t >= 200_000 && t < 210_000) return { t, ok: false, latencyMs: 2000, error: 'no response within 2000 ms' };
    if (t >= 210_000 && t < 230_000) return { t, ok: false, status: 503, latencyMs: Math.round(random() * 40) / 10 + 1 };
    return { t, ok: true, status: 200, latencyMs: Math.round((8 + random() * 30 + (random() < 0.02 ? 200 : 0)) * 10) / 10 };
  });
  const ok = samples.filter((s) => s.ok).length;
  const probe = {
    activity: { type: 'probe', name: 'api-health' },
    status: 'succeeded',
    output: { status: 200 },
    start: '2026-01-01T00:00:00.000Z',
    end: '2026-01-01T00:00:00.010Z',
    duration: 0.01,
    tolerance_met: true,
  };
  const polls = Array.from({ length: 500 }, (_, i) => ({
    steady_state_met: i >= 230,
    probes: [probe],
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, 1 + i)).toISOString(),
  }));
  return readableJournalSchema.parse({
    experiment: {
      title: 'Synthetic: 10,000 samples',
      description: 'Benchmark journal',
      'steady-state-hypothesis': { title: 'API answers' },
      method: [{ type: 'action', name: 'stop-api-task' }],
    },
    start: '2026-01-01T00:00:00.000Z',
    end: '2026-01-01T00:08:21.000Z',
    duration: 501,
    status: 'completed',
    deviated: false,
    steady_states: {
      before: { steady_state_met: true, probes: [probe], at: '2026-01-01T00:00:00.000Z' },
      during: polls,
      after: { steady_state_met: true, probes: [probe], at: '2026-01-01T00:08:20.000Z' },
    },
    run: [
      {
        activity: { type: 'action', name: 'stop-api-task' },
        status: 'succeeded',
        output: { stoppedTaskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/platform-dev/0f1e' },
        start: '2026-01-01T00:00:01.000Z',
        end: '2026-01-01T00:00:01.200Z',
        duration: 0.2,
      },
    ],
    rollbacks: [],
    rollbacks_skipped: 'rollback-strategy is "never"',
    recovery: {
      t0: '2026-01-01T00:00:01.000Z',
      timeToDetectMs: 200_000,
      timeToRecoverMs: 499_950,
      availability: Math.round((ok / SAMPLES) * 10_000) / 100,
      maxConsecutiveFailures: 600,
      objective: { within: 600, poll: 1, availability: { min: 90, probe: 'api-health', rate: RATE, timeout: 2 } },
      met: true,
      samples,
    },
  });
}

async function main(): Promise<void> {
  console.log(
    `report benchmark on ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} (a busy machine makes every figure larger)`,
  );
  const journal = syntheticJournal();
  const sources = [{ journal, source: 'synthetic-10k.json' }];
  const t0 = performance.now();
  const html = await renderReport('html', sources);
  const t1 = performance.now();
  const markdown = await renderReport('markdown', sources);
  const t2 = performance.now();
  const html2 = await renderReport('html', sources);
  const t3 = performance.now();
  const total = (t2 - t0) / 1000;
  console.log(`  HTML, first (loads the charting library) ${((t1 - t0) / 1000).toFixed(2)} s, ${(html.length / 1024).toFixed(0)} KiB`);
  console.log(`  Markdown                                 ${((t2 - t1) / 1000).toFixed(2)} s, ${(markdown.length / 1024).toFixed(0)} KiB`);
  console.log(`  HTML, again (library loaded)             ${((t3 - t2) / 1000).toFixed(2)} s, ${(html2.length / 1024).toFixed(0)} KiB`);
  console.log(
    `report of a journal with ${SAMPLES} samples: ${total.toFixed(2)} s for HTML and Markdown (goal ≤ 2 s: ${total <= 2 ? 'met' : 'missed'})`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
