import { httpGet, type HttpGetOptions } from '../../../rehearsal/http-check';

/** What a {@link Sampler} saw: requests sent, answered 200, their share, and the rate reached. */
export interface Sampled {
  readonly sent: number;
  readonly ok: number;
  readonly availability: number;
  readonly perSecond: number;
}

/**
 * GET `url` every 50 ms (one fresh connection each, a full TLS handshake for https), each with a
 * 3 s timeout; availability = answered 200 / sent. `check` may refuse a 200 (e.g. the wrong
 * certificate): it then counts as failed.
 */
export class Sampler {
  private ok = 0;
  private failed = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly inflight = new Set<Promise<void>>();
  private readonly started = Date.now();
  constructor(
    url: string,
    options: Omit<HttpGetOptions, 'timeoutMs'> = {},
    check: (reply: Awaited<ReturnType<typeof httpGet>>) => boolean = () => true,
  ) {
    this.timer = setInterval(() => {
      const p = httpGet(url, { ...options, timeoutMs: 3000 })
        .then((r) => {
          if (r.status === 200 && check(r)) this.ok++;
          else this.failed++;
        })
        .catch(() => {
          this.failed++;
        })
        .finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }, 50);
  }
  async stop(): Promise<Sampled> {
    clearInterval(this.timer);
    const seconds = (Date.now() - this.started) / 1000;
    await Promise.all(this.inflight);
    const sent = this.ok + this.failed;
    return { sent, ok: this.ok, availability: sent === 0 ? 0 : this.ok / sent, perSecond: Math.round((sent / seconds) * 10) / 10 };
  }
}
