import { sendHttpRequest, HttpRequestError, type HttpRequestSpec } from '../../sampling/http-request';
import { ActivityFailedError } from '../../errors';
import { isJsonValue, type JsonObject, type JsonValue } from '../../../contract/json';
import type { HttpProvider } from '../../model/types';

/** chaostoolkit sets no timeout by default; an unbounded probe would hang a run, so 30 s. */
const DEFAULT_TIMEOUT_S = 30;

/**
 * A number bounds the whole request, as before; `[connect, read]` is requests' pair: the connection
 * within `connect` seconds, then at most `read` seconds of silence between bytes (no overall
 * deadline then, as requests has none; the activity's timeout still bounds it).
 */
function timeouts(provider: HttpProvider): Pick<HttpRequestSpec, 'timeoutMs' | 'connectTimeoutMs' | 'readTimeoutMs'> {
  const t = provider.timeout;
  if (t === undefined) return { timeoutMs: DEFAULT_TIMEOUT_S * 1000 };
  if (typeof t === 'number') return { timeoutMs: t * 1000 };
  return { timeoutMs: Number.POSITIVE_INFINITY, connectTimeoutMs: t[0] * 1000, readTimeoutMs: t[1] * 1000 };
}

function scalarText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function hasJsonContentType(headers: Readonly<Record<string, string>>): boolean {
  return Object.entries(headers).some(([k, v]) => k.toLowerCase() === 'content-type' && v.toLowerCase().includes('json'));
}

/** The request the provider describes; `extraArguments` carries a tolerance probe's `value`. */
export function httpRequestSpec(provider: HttpProvider, extraArguments: JsonObject = {}): Omit<HttpRequestSpec, 'signal'> {
  const args: JsonObject = { ...provider.arguments, ...extraArguments };
  const url = new URL(provider.url);
  const headers: Record<string, string> = { ...provider.headers };
  let body: string | undefined;
  if (provider.method === 'GET') {
    for (const [k, v] of Object.entries(args)) url.searchParams.append(k, scalarText(v));
  } else if (Object.keys(args).length > 0) {
    // As chaostoolkit (requests' data=): a form, unless the headers ask for JSON.
    if (hasJsonContentType(headers)) body = JSON.stringify(args);
    else {
      body = new URLSearchParams(Object.entries(args).map(([k, v]): [string, string] => [k, scalarText(v)])).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
  }
  if (provider.body !== undefined) {
    body = scalarText(provider.body);
    if (typeof provider.body !== 'string' && !hasJsonContentType(headers)) headers['content-type'] = 'application/json';
  }
  return {
    url: url.toString(),
    method: provider.method,
    headers,
    ...timeouts(provider),
    verifyTls: provider.verifyTls,
    ...(body === undefined ? {} : { body }),
  };
}

/** As chaostoolkit: parsed only when Content-Type is exactly `application/json` (with a charset it stays text). */
function parseBody(text: string, headers: Readonly<Record<string, string>>): JsonValue {
  if (headers['content-type'] !== 'application/json') return text;
  try {
    const parsed: unknown = JSON.parse(text);
    return isJsonValue(parsed) ? parsed : text;
  } catch {
    return text;
  }
}

/** urllib3's Retry: read errors are retried only for these methods (its default `allowed_methods`). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

/**
 * Whether requests' `HTTPAdapter(max_retries=n)` (urllib3's `Retry.from_int(n)`, `read` not disabled
 * for n > 0) tries again after this error: a connection never made (refused, name not resolved,
 * unreachable, connect timeout, TLS handshake) for any method; an error after connecting and
 * before the response's head (read timeout, connection reset or closed) for an idempotent method.
 * Not an error in the body: requests reads it after urllib3 returned, outside the retries.
 */
function retried(error: HttpRequestError, method: string): boolean {
  if (error.stage === 'connect') return true;
  return error.stage === 'response' && IDEMPOTENT.has(method.toUpperCase());
}

/**
 * Sends the request; resolves with chaostoolkit's `{status, headers, body}`, whatever the status
 * (chaostoolkit fails an HTTP activity only when it cannot connect or times out; `expected_status`
 * is ours and only tells the availability sampler what a healthy answer is). A failed attempt is
 * tried again up to `maxRetries` more times, at once, as requests' `max_retries` (see `retried`).
 */
export async function runHttp(provider: HttpProvider, signal: AbortSignal, extraArguments?: JsonObject): Promise<JsonObject> {
  const spec = httpRequestSpec(provider, extraArguments);
  let res;
  for (let attempt = 0; ; attempt++) {
    try {
      res = await sendHttpRequest({ ...spec, signal });
      break;
    } catch (error) {
      if (!(error instanceof HttpRequestError)) throw error;
      const retry = attempt < (provider.maxRetries ?? 0) && !signal.aborted && retried(error, spec.method);
      if (!retry) {
        const tries = attempt > 0 ? ` (after ${attempt + 1} attempts)` : '';
        throw new ActivityFailedError(`${spec.method} ${spec.url} failed: ${error.message}${tries}`);
      }
    }
  }
  return { status: res.status, headers: res.headers, body: parseBody(res.body, res.headers) };
}
