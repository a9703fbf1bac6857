import { connect } from 'node:tls';

/** The certificate a TLS server presents, and whether it verifies. */
export interface ServedCertificate {
  /** Serial number, hex, upper case. */
  readonly serial: string;
  /** SHA-256 fingerprint of the leaf (colon-separated hex). */
  readonly fingerprint256: string;
  readonly issuerCN: string;
  /** The chain verifies against `ca` and the leaf names `servername`. */
  readonly authorized: boolean;
  readonly authorizationError: string | undefined;
}

/**
 * Connects to `host`:`port` (default 127.0.0.1) with `servername` as SNI and reports the leaf
 * certificate served, verified against `ca` and the name (but not refused when it does not
 * verify: the caller asserts).
 */
export function servedCertificate(
  port: number,
  servername: string,
  ca: string,
  timeoutMs = 3000,
  host = '127.0.0.1',
): Promise<ServedCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, servername, ca, rejectUnauthorized: false });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS handshake with ${host}:${port} within ${timeoutMs} ms`)));
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const error = socket.authorizationError;
      resolve({
        serial: cert.serialNumber.toUpperCase(),
        fingerprint256: cert.fingerprint256,
        issuerCN: String(cert.issuer.CN),
        authorized: socket.authorized,
        authorizationError: error === undefined || error === null ? undefined : String(error),
      });
      socket.end();
    });
  });
}
