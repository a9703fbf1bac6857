import { once } from 'node:events';
import * as net from 'node:net';

/** A free TCP port on 127.0.0.1: the kernel picks it, and it is released before it is returned. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP address for the free port');
  return address.port;
}
