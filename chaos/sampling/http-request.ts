import { request as httpRequestRaw, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequestRaw } from 'node:https';
import { performance } from 'node:perf_hooks';

/** One HTTP request, as the http provider, `http:get` and the availability sampler send it. */
export interface HttpRequestSpec {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Whole request, connect to last byte (`Infinity`: none, when the two below bound it instead). */
  readonly timeoutMs: number;
  /** requests' connect timeout: the TCP connection (and the TLS handshake) must be made within it. */
  readonly connectTimeoutMs?: number;
  /** requests' read timeout: once connected, the longest wait for the next byte (not the whole response). */
  readonly readTimeoutMs?: number;
  readonly verifyTls: boolean;
  readonly signal?: AbortSignal;
  /** Bodies beyond this are cut (probes need status and a prefix, not megabytes). */
  readonly maxBodyBytes?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly latencyMs: number;
}

/** Why a request got no response: the words end up in journals and reports. */
export class HttpRequestError extends Error {
  constructor(
    message: string,
    readonly latencyMs: number,
    /** The system error's code (ECONNREFUSED…) when there was one. */
    readonly code?: string,
    /** Where it failed: before the connection was made, before the response's head, or in its body. */
    readonly stage: 'connect' | 'response' | 'body' = 'connect',
  ) {
    super(message);
    this.name = 'HttpRequestError';
  }
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Sends one request on a fresh connection (no keep-alive: a sample must see a refused connection,
 * not reuse one made before the fault) and resolves with status, headers, body and latency.
 */
export function sendHttpRequest(spec: HttpRequestSpec): Promise<HttpResponse> {
  const started = performance.now();
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10;
  const limit = spec.maxBodyBytes ?? 1024 * 1024;
  return new Promise<HttpResponse>((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(spec.url);
    } catch {
      reject(new HttpRequestError(`invalid URL ${spec.url}`, 0));
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequestRaw : httpRequestRaw;
    let settled = false;
    let stage: 'connect' | 'response' | 'body' = 'connect';
    let connectTimer: ReturnType<typeof setTimeout> | undefined;
    const fail = (message: string, code?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(connectTimer);
      spec.signal?.removeEventListener('abort', onAbort);
      req.destroy();
      reject(new HttpRequestError(message, elapsed(), code, stage));
    };
    const onAbort = (): void => fail('request aborted');
    let req: ReturnType<typeof send>;
    try {
      req = send(url, {
        method: spec.method,
        headers: { ...spec.headers, connection: 'close' },
        agent: false,
        rejectUnauthorized: spec.verifyTls,
      });
    } catch (error) {
      reject(new HttpRequestError(error instanceof Error ? error.message : String(error), elapsed()));
      return;
    }
    // Listened to first: a request destroyed below (already aborted) still emits its error, and
    // an error event nobody listens to would crash the process ("socket hang up").
    req.on('error', (error: NodeJS.ErrnoException) => fail(error.code ? `${error.code} ${url.host}` : error.message, error.code));
    const timer = Number.isFinite(spec.timeoutMs)
      ? setTimeout(() => fail(`no response within ${spec.timeoutMs} ms`), spec.timeoutMs)
      : undefined;
    const connectMs = spec.connectTimeoutMs;
    if (connectMs !== undefined) {
      connectTimer = setTimeout(() => fail(`connect timeout: no connection to ${url.host} within ${connectMs} ms`), connectMs);
    }
    req.on('socket', (socket) => {
      const connected = (): void => {
        clearTimeout(connectTimer);
        if (stage === 'connect') stage = 'response';
        const readMs = spec.readTimeoutMs;
        // Node's idle timeout: nothing read (or written) for that long, as requests' socket read timeout.
        if (readMs !== undefined) socket.setTimeout(readMs, () => fail(`read timeout: nothing received for ${readMs} ms`));
      };
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected);
    });
    if (spec.signal?.aborted) {
      fail('request aborted');
      return;
    }
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res) => {
      stage = 'body';
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < limit) chunks.push(chunk.subarray(0, limit - size));
        size += chunk.length;
      });
      res.on('error', (error) => fail(error.message));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        res.socket?.setTimeout(0);
        spec.signal?.removeEventListener('abort', onAbort);
        resolve({
          status: res.statusCode ?? 0,
          headers: flatten(res.headers),
          body: Buffer.concat(chunks).toString('utf8'),
          latencyMs: elapsed(),
        });
      });
    });
    req.end(spec.body);
  });
}
