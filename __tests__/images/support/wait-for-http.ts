import { httpGet, type HttpReply } from '../../../rehearsal/http-check';
import { sleep } from '../../../rehearsal/processes';

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
    await sleep(50);
  }
}
