import * as http from 'node:http';

/** What one request got back. */
export interface HttpReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Options of {@link httpGet}. */
export interface HttpGetOptions {
  /** Default GET. */
  readonly method?: string;
  /** Default 3 s. */
  readonly timeoutMs?: number;
}

/**
 * One request on a fresh connection (no keep-alive agent), so no idle connection outlives the
 * test or keeps a server that is stopping busy.
 */
export function httpGet(url: string, options: HttpGetOptions = {}): Promise<HttpReply> {
  const timeoutMs = options.timeoutMs ?? 3000;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls `url` every 50 ms until it answers `status`; rejects after `timeoutMs` with the last error. */
export async function waitForHttp(url: string, timeoutMs: number, status = 200): Promise<HttpReply> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  for (;;) {
    try {
      const reply = await httpGet(url, { timeoutMs: 1000 });
      if (reply.status === status) return reply;
      last = `status ${reply.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
