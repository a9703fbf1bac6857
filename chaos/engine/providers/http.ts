import { sendHttpRequest, HttpRequestError, type HttpRequestSpec } from '../../sampling/http-request';
import { ActivityFailedError } from '../../errors';
import { isJsonValue, type JsonObject, type JsonValue } from '../../../contract/json';
import type { HttpProvider } from '../../model/types';

/** chaostoolkit sets no timeout by default; an unbounded probe would hang a run, so 30 s. */
const DEFAULT_TIMEOUT_S = 30;

function timeoutMs(provider: HttpProvider): number {
  const t = provider.timeout;
  if (t === undefined) return DEFAULT_TIMEOUT_S * 1000;
  return typeof t === 'number' ? t * 1000 : (t[0] + t[1]) * 1000;
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
    timeoutMs: timeoutMs(provider),
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

/** Errors of a connection that was never made: requests' `max_retries` retries these (urllib3's connect errors). */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Sends the request; resolves with chaostoolkit's `{status, headers, body}`, whatever the status
 * (chaostoolkit fails an HTTP activity only when it cannot connect or times out; `expected_status`
 * is ours and only tells the availability sampler what a healthy answer is). A connection that
 * cannot be made is tried again `maxRetries` more times, at once, as requests' `max_retries`.
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
      const retry = attempt < (provider.maxRetries ?? 0) && !signal.aborted && CONNECT_ERRORS.has(error.code ?? '');
      if (!retry) {
        const tries = attempt > 0 ? ` (after ${attempt + 1} attempts)` : '';
        throw new ActivityFailedError(`${spec.method} ${spec.url} failed: ${error.message}${tries}`);
      }
    }
  }
  return { status: res.status, headers: res.headers, body: parseBody(res.body, res.headers) };
}
