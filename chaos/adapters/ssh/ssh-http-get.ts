import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import { ActivityFailedError } from '../../errors';
import { HOST_HTTP_MAX_BODY_BYTES, type HostHttpAnswer, type HostHttpRequest } from '../../faults/ports';

/** One GET over a stream the SSH session forwarded to the host's loopback. */
export function httpGetOverStream(stream: Duplex, req: HostHttpRequest, signal: AbortSignal): Promise<HostHttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port: req.port,
        path: req.path,
        method: 'GET',
        headers: { connection: 'close' },
        createConnection: () => stream,
        signal,
        timeout: req.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= HOST_HTTP_MAX_BODY_BYTES) chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new ActivityFailedError(`no response within ${req.timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}
