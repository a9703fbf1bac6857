/** An HTTP request the availability sampler can repeat many times a second. */
export interface HttpSampleTarget {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Statuses that count as available; `success` means any status below 400. */
  readonly expectStatus: readonly number[] | 'success';
  readonly timeoutMs: number;
  readonly verifyTls: boolean;
}
