import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { POLL_MS, sleep } from './processes';

/** An HTTP answer, as much of it as the checks look at. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * One GET; rejects on a connection error or when no answer comes within `timeoutMs`. An https URL
 * is fetched with `servername` as SNI and whatever certificate the server presents: these are
 * readiness checks on loopback (a proxy still on its self-signed bootstrap certificate is ready);
 * which certificate it serves is for the caller to check.
 */
export function httpGet(url: string, timeoutMs = 2000, servername?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const options = { method: 'GET', timeout: timeoutMs, agent: false as const };
    const send = url.startsWith('https:')
      ? (onResponse: Parameters<typeof request>[2]) => httpsRequest(url, { ...options, servername, rejectUnauthorized: false }, onResponse)
      : (onResponse: Parameters<typeof request>[2]) => request(url, options, onResponse);
    const req = send((res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The outcome of one look: done; not yet, and why (the last reason ends up in the timeout
 * message); or failed, when waiting longer cannot help (a task that crashes at every start).
 */
export type CheckResult =
  | { readonly state: 'done' }
  | { readonly state: 'waiting'; readonly reason: string }
  | { readonly state: 'failed'; readonly reason: string };

/** Looks again every 200 ms until `check` is done or failed; returns the last reason when `timeoutMs` passes first. */
export async function waitUntil(check: () => Promise<CheckResult>, timeoutMs: number): Promise<CheckResult> {
  const deadline = Date.now() + timeoutMs;
  let last: CheckResult = { state: 'waiting', reason: 'not checked yet' };
  while (Date.now() < deadline) {
    last = await check();
    if (last.state !== 'waiting') return last;
    await sleep(POLL_MS * 2);
  }
  return last;
}

/** A check that `url` answers 2xx and, if given, that `accept` likes the body (`servername`: SNI for https). */
export function answers(url: string, accept: (body: string) => boolean = () => true, servername?: string): () => Promise<CheckResult> {
  return async () => {
    try {
      const answer = await httpGet(url, 2000, servername);
      if (answer.status < 200 || answer.status > 299) return { state: 'waiting', reason: `${url} answered ${answer.status}` };
      return accept(answer.body)
        ? { state: 'done' }
        : { state: 'waiting', reason: `${url} answered an unexpected body: ${answer.body.slice(0, 120)}` };
    } catch (error) {
      return { state: 'waiting', reason: `${url}: ${error instanceof Error ? error.message : String(error)}` };
    }
  };
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
