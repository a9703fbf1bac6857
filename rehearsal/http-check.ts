import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { TLSSocket } from 'node:tls';
import { POLL_MS, sleep } from './processes';

/** What one request got back. */
export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** From sending the request to the end of the body. */
  readonly ms: number;
  /** HTTPS only: the leaf certificate's serial (hex, upper case), its issuer's CN, whether the chain verified. */
  readonly tls?: { readonly serial: string; readonly issuerCN: string; readonly authorized: boolean };
}

/** Options of {@link httpGet}. */
export interface HttpGetOptions {
  /** Default GET; another method (sent without a body) is for seeing what a server refuses. */
  readonly method?: string;
  /** Default 3 s. */
  readonly timeoutMs?: number;
  /** HTTPS: the name sent as SNI and checked against the certificate. */
  readonly servername?: string;
  /** HTTPS: the trusted roots; the chain must verify against them. Without, any certificate is taken and only reported. */
  readonly ca?: string;
}

function servedCertificate(socket: TLSSocket): HttpReply['tls'] {
  const cert = socket.getPeerCertificate();
  return { serial: cert.serialNumber.toUpperCase(), issuerCN: String(cert.issuer.CN), authorized: socket.authorized };
}

/**
 * One request on a fresh connection (no keep-alive agent), so that no idle connection outlives
 * the caller or keeps a server that is stopping busy, and every request goes through accept and,
 * for HTTPS, a full handshake with whichever server is current. Rejects on a connection error or
 * when no answer comes within the timeout. Without `ca` an https URL is fetched whatever the
 * certificate: readiness checks on loopback take a proxy still on its self-signed bootstrap
 * certificate as ready; which certificate it serves is for the caller to check (`tls`).
 */
export function httpGet(url: string, options: HttpGetOptions = {}): Promise<HttpReply> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const tls = res.socket instanceof TLSSocket ? servedCertificate(res.socket) : undefined;
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started, tls });
      });
    };
    const common = { method: options.method ?? 'GET', agent: false as const };
    const req = url.startsWith('https:')
      ? httpsRequest(
          url,
          { ...common, servername: options.servername, ca: options.ca, rejectUnauthorized: options.ca !== undefined },
          onResponse,
        )
      : request(url, common, onResponse);
    // One deadline for the whole exchange, the connect included: `req.setTimeout` only starts once
    // the socket is connected, so a peer that never answers the SYN (a cut link) would hang for
    // the kernel's connect timeout (minutes).
    const deadline = setTimeout(() => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(deadline));
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
      const answer = await httpGet(url, { timeoutMs: 2000, servername });
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
