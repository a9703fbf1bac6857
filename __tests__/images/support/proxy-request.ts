/** HTTP and HTTPS GETs that report the certificate the proxy presented. */
import * as http from 'node:http';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';

/** What one request got back. */
export interface ProxyReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly ms: number;
  /** HTTPS only: the leaf certificate's serial (hex, upper case), its issuer's CN, whether the chain verified. */
  readonly tls?: { readonly serial: string; readonly issuerCN: string; readonly authorized: boolean };
}

/** Options of {@link proxyGet}. */
export interface ProxyGetOptions {
  /** HTTPS: the name sent as SNI and checked against the certificate. */
  readonly servername?: string;
  /** HTTPS: the trusted roots; the chain must verify against them. Without, it is only reported. */
  readonly ca?: string;
  /** Default 5 s. */
  readonly timeoutMs?: number;
}

/**
 * One GET on a fresh connection (no keep-alive agent): every request goes through accept and,
 * for HTTPS, a full handshake with whichever nginx workers are current.
 */
export function proxyGet(url: string, options: ProxyGetOptions = {}): Promise<ProxyReply> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const timeoutMs = options.timeoutMs ?? 5000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        let tls: ProxyReply['tls'];
        if (secure) {
          const socket = res.socket as TLSSocket;
          const cert = socket.getPeerCertificate();
          tls = { serial: cert.serialNumber.toUpperCase(), issuerCN: String(cert.issuer.CN), authorized: socket.authorized };
        }
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started, tls });
      });
    };
    const common = { hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, agent: false as const };
    const req = secure
      ? https.request(
          { ...common, servername: options.servername, ca: options.ca, rejectUnauthorized: options.ca !== undefined },
          onResponse,
        )
      : http.request(common, onResponse);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
