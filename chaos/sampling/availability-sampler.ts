import { performance } from 'node:perf_hooks';
import type { AvailabilitySample } from '../../contract/journal';
import type { HttpSampleTarget } from './sample-target';
import { HttpRequestError, sendHttpRequest, type HttpRequestSpec, type HttpResponse } from './http-request';

export interface SamplerOptions {
  readonly target: HttpSampleTarget;
  /** Samples per second. */
  readonly rate: number;
  /** Per-sample timeout; bounds the requests in flight to about rate × timeout. */
  readonly timeoutMs: number;
  /** The sampler stops by itself after this long, whatever happens to its owner. */
  readonly maxDurationMs: number;
  /** Called about once a second with the counts so far. */
  readonly onProgress?: (progress: SamplerProgress) => void;
  /** Injectable for tests; the real one opens a fresh connection per sample. */
  readonly send?: (spec: HttpRequestSpec) => Promise<HttpResponse>;
}

export interface SamplerProgress {
  readonly elapsedMs: number;
  readonly ok: number;
  readonly failed: number;
}

function isOk(target: HttpSampleTarget, status: number): boolean {
  return target.expectStatus === 'success' ? status < 400 : target.expectStatus.includes(status);
}

/**
 * Repeats one HTTP request at a fixed rate, each on its own schedule slot, so that a hanging
 * request does not slow the sampling down. Bounded: stops after `maxDurationMs`, keeps at most
 * rate × maxDuration samples, and no request outlives its timeout.
 */
export class AvailabilitySampler {
  private readonly done: AvailabilitySample[] = [];
  /** In-flight requests and when (ms since start) each was sent. */
  private readonly inFlight = new Map<Promise<void>, number>();
  private timer: NodeJS.Timeout | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private scheduled = 0;
  private running = false;
  private readonly abort = new AbortController();

  constructor(private readonly options: SamplerOptions) {}

  /** Starts sampling now; `t` of every sample counts from this moment. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = performance.now();
    this.tick();
    const { onProgress } = this.options;
    if (onProgress) {
      this.progressTimer = setInterval(() => onProgress(this.progress()), 1000);
    }
  }

  private get periodMs(): number {
    return 1000 / this.options.rate;
  }

  private get maxSamples(): number {
    return Math.ceil((this.options.rate * this.options.maxDurationMs) / 1000);
  }

  private tick(): void {
    if (!this.running) return;
    const now = performance.now() - this.startedAt;
    if (now >= this.options.maxDurationMs || this.scheduled >= this.maxSamples) {
      this.halt();
      return;
    }
    this.fire(now);
    this.scheduled += 1;
    // Schedule against the ideal grid, not the last tick, so timer drift does not lower the rate.
    const next = this.scheduled * this.periodMs;
    this.timer = setTimeout(() => this.tick(), Math.max(0, next - (performance.now() - this.startedAt)));
  }

  private fire(t: number): void {
    const { target, timeoutMs } = this.options;
    const send = this.options.send ?? sendHttpRequest;
    const at = Math.round(t);
    const pending = send({
      url: target.url,
      method: target.method,
      headers: target.headers,
      ...(target.body === undefined ? {} : { body: target.body }),
      timeoutMs,
      verifyTls: target.verifyTls,
      signal: this.abort.signal,
      maxBodyBytes: 0,
    })
      .then((res) => {
        const ok = isOk(target, res.status);
        this.done.push({ t: at, ok, status: res.status, latencyMs: res.latencyMs, ...(ok ? {} : { error: `status ${res.status}` }) });
      })
      .catch((error: unknown) => {
        const latencyMs = error instanceof HttpRequestError ? error.latencyMs : 0;
        this.done.push({ t: at, ok: false, latencyMs, error: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => this.inFlight.delete(pending));
    this.inFlight.set(pending, t);
  }

  private halt(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.progressTimer) clearInterval(this.progressTimer);
    this.timer = null;
    this.progressTimer = null;
  }

  /** Milliseconds since start. */
  elapsedMs(): number {
    return this.startedAt === 0 ? 0 : performance.now() - this.startedAt;
  }

  progress(): SamplerProgress {
    const failed = this.done.filter((s) => !s.ok).length;
    return { elapsedMs: Math.round(this.elapsedMs()), ok: this.done.length - failed, failed };
  }

  /** Completed samples so far, in time order. */
  samples(): AvailabilitySample[] {
    return [...this.done].sort((a, b) => a.t - b.t);
  }

  /**
   * Whether the service answers again: the last `streak` completed samples are all healthy and no
   * request has been hanging for longer than `hangingMs`. With no sample yet this is false, so
   * recovery is never declared before the sampler has spoken.
   */
  healthyStreak(streak: number, hangingMs: number): boolean {
    const recent = this.samples().slice(-streak);
    const now = this.elapsedMs();
    const hanging = [...this.inFlight.values()].some((sentAt) => now - sentAt > hangingMs);
    return recent.length > 0 && recent.every((s) => s.ok) && !hanging;
  }

  /** Stops scheduling, lets in-flight requests finish (bounded by their timeout), returns all samples. */
  async stop(): Promise<AvailabilitySample[]> {
    this.halt();
    await Promise.all([...this.inFlight.keys()]);
    return this.samples();
  }

  /** Stops at once, aborting in-flight requests (interruption). */
  async cancel(): Promise<AvailabilitySample[]> {
    this.halt();
    this.abort.abort();
    await Promise.all([...this.inFlight.keys()]);
    return this.samples();
  }
}
