import type { Clock } from '../../faults/types';
import { HttpRequestError, sendHttpRequest } from '../../sampling/http-request';
import { apiInstanceIn } from '../api-instance';

/** What one load run sends: GETs of `urls` in turn, `rate` a second, never more than `concurrency` in flight. */
export interface LoadPlan {
  readonly urls: readonly string[];
  readonly rate: number;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly timeoutMs: number;
  readonly verifyTls: boolean;
}

/** One request's outcome: a status, or no answer (timed out, or another error). */
export type LoadOutcome =
  | { readonly kind: 'answered'; readonly status: number; readonly latencyMs: number; readonly instance: string | null }
  | { readonly kind: 'timeout' | 'error'; readonly latencyMs: number; readonly message: string };

/** Nearest-rank p50 and p95, and the maximum, in milliseconds; null without values. */
export type Latencies = { readonly p50: number | null; readonly p95: number | null; readonly max: number | null };

function latencies(values: number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? null };
}

/** The figures the journal keeps of a load run (a type, not an interface: it must be a JSON object). */
export type LoadFigures = {
  readonly sent: number;
  /** Ticks at which `concurrency` requests were still in flight: the client, not the platform, was the limit. */
  readonly notSent: number;
  readonly counts: {
    readonly '2xx': number;
    readonly '429': number;
    readonly '503': number;
    readonly other: number;
    readonly errors: number;
    readonly timeouts: number;
  };
  /** Every status answered, by code, so that "other" can be read back. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Of answered requests (every status), in milliseconds, nearest rank; null when none was answered. */
  readonly latencyMs: Latencies;
  /** Of the 2xx answers only: how fast the requests that got through were served. */
  readonly latencyMs2xx: Latencies;
  readonly requestedRate: number;
  /** Requests sent per second of the sending window. */
  readonly achievedRate: number;
  /** Answers per second of the sending window (every status). */
  readonly answeredRate: number;
  /** The sending window: from the first request to the last one due. */
  readonly elapsedMs: number;
  /** The distinct `instance` values of JSON answers (the API's /api/status): more than one means the API restarted under load. */
  readonly instances: string[];
  /** The first few distinct error messages, for the journal. */
  readonly errorSamples: string[];
};

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? null;
}

/** Sums outcomes into the journal's figures. */
export function loadFigures(
  outcomes: readonly LoadOutcome[],
  plan: Pick<LoadPlan, 'rate'>,
  elapsedMs: number,
  notSent: number,
): LoadFigures {
  const counts = { '2xx': 0, '429': 0, '503': 0, other: 0, errors: 0, timeouts: 0 };
  const byStatus: Record<string, number> = {};
  const answered: number[] = [];
  const served: number[] = [];
  const instances = new Set<string>();
  const errorSamples = new Set<string>();
  for (const o of outcomes) {
    if (o.kind !== 'answered') {
      if (o.kind === 'timeout') counts.timeouts += 1;
      else counts.errors += 1;
      if (errorSamples.size < 5) errorSamples.add(o.message);
      continue;
    }
    answered.push(o.latencyMs);
    byStatus[String(o.status)] = (byStatus[String(o.status)] ?? 0) + 1;
    if (o.status >= 200 && o.status < 300) {
      counts['2xx'] += 1;
      served.push(o.latencyMs);
    } else if (o.status === 429) counts['429'] += 1;
    else if (o.status === 503) counts['503'] += 1;
    else counts.other += 1;
    if (o.instance !== null) instances.add(o.instance);
  }
  const seconds = elapsedMs / 1000;
  const perSecond = (n: number): number => (seconds > 0 ? Math.round((n / seconds) * 10) / 10 : 0);
  return {
    sent: outcomes.length,
    notSent,
    counts,
    byStatus,
    latencyMs: latencies(answered),
    latencyMs2xx: latencies(served),
    requestedRate: plan.rate,
    achievedRate: perSecond(outcomes.length),
    answeredRate: perSecond(answered.length),
    elapsedMs: Math.round(elapsedMs),
    instances: [...instances],
    errorSamples: [...errorSamples],
  };
}

/** Bodies are read for the API's instance only: a few kilobytes are enough. */
const MAX_BODY_BYTES = 4096;

async function one(url: string, plan: LoadPlan, signal: AbortSignal): Promise<LoadOutcome> {
  try {
    const res = await sendHttpRequest({
      url,
      method: 'GET',
      headers: {},
      timeoutMs: plan.timeoutMs,
      verifyTls: plan.verifyTls,
      signal,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    return { kind: 'answered', status: res.status, latencyMs: res.latencyMs, instance: apiInstanceIn(res.body) };
  } catch (error) {
    if (!(error instanceof HttpRequestError)) throw error;
    return { kind: /^no response within/.test(error.message) ? 'timeout' : 'error', latencyMs: error.latencyMs, message: error.message };
  }
}

/**
 * Open-loop load: a request is due every 1/rate s whatever the answers do (a closed loop would slow
 * down with the platform and hide its overload), unless `concurrency` are in flight, in which case
 * that tick is counted as not sent. Stops sending after `durationMs`, then waits for the requests in
 * flight (each bounded by `timeoutMs`). An abort stops at once: in-flight requests are aborted and
 * the signal's reason is thrown.
 */
export async function runLoad(plan: LoadPlan, clock: Clock, signal: AbortSignal): Promise<LoadFigures> {
  const outcomes: LoadOutcome[] = [];
  const inFlight = new Set<Promise<void>>();
  const started = clock.now();
  const intervalMs = 1000 / plan.rate;
  let due = 0;
  let notSent = 0;
  while (!signal.aborted) {
    const now = clock.now() - started;
    if (now >= plan.durationMs) break;
    // Every tick that fell due since the last turn is sent now (timers drift under load).
    while (due * intervalMs <= now && due * intervalMs < plan.durationMs) {
      const url = plan.urls[due % plan.urls.length] ?? plan.urls[0] ?? '';
      due += 1;
      if (inFlight.size >= plan.concurrency) {
        notSent += 1;
        continue;
      }
      const p: Promise<void> = one(url, plan, signal).then((o) => {
        outcomes.push(o);
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    const next = Math.min(due * intervalMs, plan.durationMs);
    await clock.sleep(Math.max(1, next - (clock.now() - started)), signal).catch((error: unknown) => {
      if (!signal.aborted) throw error;
    });
  }
  // Rates are over the sending window; the wait for the last answers below is not part of it.
  const sendingMs = clock.now() - started;
  await Promise.all(inFlight);
  if (signal.aborted) throw signal.reason;
  return loadFigures(outcomes, plan, sendingMs, notSent);
}
