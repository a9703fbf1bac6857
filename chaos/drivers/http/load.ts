import { z } from 'zod';
import type { PlatformOutputs } from '../../../contract/outputs';
import { ActivityFailedError } from '../../errors';
import { defineFault } from '../../faults/define-fault';
import { runLoad } from './load-generator';

/**
 * Hard caps: the load comes from the chaos runner's own machine, and is meant to overload the
 * platform's limits (nginx's per-client limit, the API's in-flight limit), not the runner, nor to
 * become a denial of service nobody can stop.
 */
export const LOAD_CAPS = { rate: 500, concurrency: 100, durationSeconds: 300, paths: 10 } as const;

/**
 * Relative paths only, so the load can reach nothing but the outputs' public URL: "//host/x" would
 * be another host to `new URL`, and "\" is read as "/" by it.
 */
const loadPath = z
  .string()
  .regex(/^\/(?!\/)[\x21-\x5b\x5d-\x7e]*$/, 'expected a path on the public URL: one "/" first, printable characters, no "\\"');

const args = z.strictObject({
  paths: z
    .array(loadPath)
    .min(1)
    .max(LOAD_CAPS.paths)
    .default(['/api/status'])
    .describe(`Paths requested in turn on the platform's public URL (default ["/api/status"], at most ${LOAD_CAPS.paths})`),
  rate: z
    .number()
    .positive()
    .max(LOAD_CAPS.rate)
    .describe(`Requests started per second, whatever the answers (open loop; at most ${LOAD_CAPS.rate})`),
  concurrency: z
    .number()
    .int()
    .positive()
    .max(LOAD_CAPS.concurrency)
    .default(20)
    .describe(
      `Requests in flight at most; a request falling due beyond it is counted as not sent (default 20, at most ${LOAD_CAPS.concurrency})`,
    ),
  durationSeconds: z.number().positive().max(LOAD_CAPS.durationSeconds).describe(`Seconds of load (at most ${LOAD_CAPS.durationSeconds})`),
  timeoutMs: z
    .number()
    .int()
    .positive()
    .max(30_000)
    .default(5000)
    .describe('Milliseconds before one request counts as timed out (default 5000, at most 30000)'),
  verifyTls: z.boolean().default(true).describe('Check the server certificate (default true)'),
  acceptStatuses: z
    .array(z.number().int().min(100).max(599))
    .min(1)
    .optional()
    .describe(
      'When given, the only statuses the platform may answer (e.g. [200, 429, 503]: answered or shed); any other, an error or a timeout fails the action after the load, its figures in the message (default: report only)',
    ),
});

type Args = z.output<typeof args>;

/** The URLs loaded, each checked to be on the outputs' public URL (origin and all). */
export function loadUrls(a: Pick<Args, 'paths'>, outputs: PlatformOutputs): string[] {
  const base = new URL(outputs.publicUrl);
  return a.paths.map((p) => {
    const url = new URL(p, base);
    if (url.origin !== base.origin) throw new ActivityFailedError(`refused ${p}: it leaves the public URL ${base.origin}`);
    return url.toString();
  });
}

/** `http:load`: the seed's "heavy requests", from the runner's machine through the proxy. */
export const httpLoad = defineFault({
  id: 'http:load',
  kind: 'action',
  description:
    "Load the platform's public URL (through the proxy) from the runner's machine: GETs of the paths at a rate (requests/s, open loop) with at most a concurrency in flight for a duration; reports counts of 2xx, 429, 503, other statuses, errors and timeouts, latency p50/p95/max and the achieved rate",
  args,
  // It loads the live platform: shedding, and the API's answers to everybody else, are what is tested.
  destructive: true,
  describe: (a, { outputs }) =>
    `GET ${loadUrls(a, outputs).join(', ')} at ${a.rate} requests/s, at most ${a.concurrency} in flight, for ${a.durationSeconds} s, from this machine`,
  async run(ctx, a) {
    const urls = loadUrls(a, ctx.outputs);
    ctx.log.info(`load: ${urls.join(', ')} at ${a.rate}/s, concurrency ${a.concurrency}, for ${a.durationSeconds} s`);
    const figures = await runLoad(
      {
        urls,
        rate: a.rate,
        concurrency: a.concurrency,
        durationMs: a.durationSeconds * 1000,
        timeoutMs: a.timeoutMs,
        verifyTls: a.verifyTls,
      },
      ctx.clock,
      ctx.signal,
    );
    const c = figures.counts;
    ctx.log.info(
      `load: ${figures.sent} sent (${figures.achievedRate}/s), 2xx ${c['2xx']}, 429 ${c['429']}, 503 ${c['503']}, other ${c.other}, errors ${c.errors}, timeouts ${c.timeouts}, p95 ${figures.latencyMs.p95 ?? '-'} ms`,
    );
    if (a.acceptStatuses !== undefined) {
      const accepted = new Set(a.acceptStatuses);
      const unexpected = Object.entries(figures.byStatus).filter(([status]) => !accepted.has(Number(status)));
      if (unexpected.length > 0 || c.errors > 0 || c.timeouts > 0)
        throw new ActivityFailedError(
          `load: answers outside ${a.acceptStatuses.join('/')}: ${[...unexpected.map(([st, n]) => `${n}× ${st}`), ...(c.errors > 0 ? [`${c.errors} errors (${figures.errorSamples.join('; ')})`] : []), ...(c.timeouts > 0 ? [`${c.timeouts} timeouts`] : [])].join(', ')} of ${figures.sent} sent; ${JSON.stringify(figures.byStatus)}, p95 ${figures.latencyMs.p95 ?? '-'} ms`,
        );
    }
    return { urls, concurrency: a.concurrency, durationSeconds: a.durationSeconds, ...figures };
  },
});
