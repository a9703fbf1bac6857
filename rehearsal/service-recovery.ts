import type { PlatformOutputs } from '../contract/outputs';
import type { ServiceName } from '../contract/services';
import { apiInstance, containerOf } from './api-recovery';
import { httpGet } from './http-check';
import { sleep } from './processes';
import { sshRun, type SshEndpoint } from './sshd';

/**
 * One measured fault of any service, the way an operator causes it: `docker stop` of its
 * container over SSH, then the site through the proxy until the service is healthy again, while
 * both of the site's paths ("/" for the frontend, `/api/status` for the api) are sampled through
 * the proxy. Used by `bench/rehearsal-recovery.ts`; the chaos experiments measure the same faults
 * with the chaos engine (its time to recover from the same kind of sampling through the proxy).
 */

/** Requests that succeeded out of those sent. */
export interface Tally {
  readonly ok: number;
  readonly total: number;
}

/** What one stop-and-recover measured. */
export interface ServiceRecovery {
  readonly service: ServiceName;
  readonly stoppedContainer: string;
  readonly newContainer: string;
  /** From just before `docker stop` to the first healthy answer through the proxy from the replacement. */
  readonly recoverMs: number;
  /** How long `docker stop` over SSH took (connection, SIGTERM, the container's exit). */
  readonly stopMs: number;
  /** Through the proxy, from the stop to the recovery: "/" (the frontend) and `/api/status` (the api). */
  readonly availability: { readonly frontend: Tally; readonly api: Tally };
}

const SAMPLE_MS = 50;

async function answersWith(url: string, accept: (body: string) => boolean): Promise<boolean> {
  try {
    const answer = await httpGet(url, { timeoutMs: 1000 });
    return answer.status === 200 && accept(answer.body);
  } catch {
    // Refused or reset while something is down: not answering.
    return false;
  }
}

const page = (publicUrl: string): Promise<boolean> => answersWith(`${publicUrl}/`, (body) => /<html/i.test(body));
const status = (publicUrl: string): Promise<boolean> =>
  answersWith(`${publicUrl}/api/status`, (body) => /"service"\s*:\s*"api"/.test(body));

/** Samples `probe` every 50 ms until `done()`. */
async function sample(probe: () => Promise<boolean>, done: () => boolean): Promise<Tally> {
  let ok = 0;
  let total = 0;
  while (!done()) {
    total += 1;
    if (await probe()) ok += 1;
    await sleep(SAMPLE_MS);
  }
  return { ok, total };
}

/**
 * Whether the service answers through the proxy from its replacement. The api names its process
 * in `/api/status`; the frontend and the proxy have no such id, but once `docker stop` has
 * returned their old container is gone (host network: nothing else holds the port), so any
 * healthy answer after that comes from the replacement.
 */
function recoveredCheck(service: ServiceName, publicUrl: string, oldApiInstance: string | undefined): () => Promise<boolean> {
  switch (service) {
    case 'api':
      return async () => {
        const now = await apiInstance(publicUrl);
        return now !== undefined && now !== oldApiInstance;
      };
    case 'frontend':
    case 'proxy':
      return () => page(publicUrl);
  }
}

/** Stops the service's container over SSH and waits (at most `timeoutMs`) until it is healthy again through the proxy. */
export async function measureServiceRecovery(
  ssh: string,
  endpoint: SshEndpoint,
  outputs: PlatformOutputs,
  service: ServiceName,
  timeoutMs = 60_000,
): Promise<ServiceRecovery> {
  const serviceName = outputs.services[service].serviceName;
  const stoppedContainer = await containerOf(ssh, endpoint, serviceName);
  const oldApiInstance = service === 'api' ? await apiInstance(outputs.publicUrl) : undefined;
  if (!(await page(outputs.publicUrl)) || !(await status(outputs.publicUrl)))
    throw new Error('the site does not answer through the proxy before the fault');
  const recovered = recoveredCheck(service, outputs.publicUrl, oldApiInstance);
  let done = false;
  const samplers = Promise.all([
    sample(
      () => page(outputs.publicUrl),
      () => done,
    ),
    sample(
      () => status(outputs.publicUrl),
      () => done,
    ),
  ]);
  const started = Date.now();
  try {
    await sshRun(ssh, endpoint, ['docker', 'stop', stoppedContainer]);
    const stopMs = Date.now() - started;
    let back = false;
    while (!back && Date.now() - started < timeoutMs) {
      back = await recovered();
      if (!back) await sleep(SAMPLE_MS);
    }
    const recoverMs = Date.now() - started;
    done = true;
    const [frontend, api] = await samplers;
    if (!back) throw new Error(`${service} was not healthy again through the proxy within ${timeoutMs} ms`);
    const newContainer = await containerOf(ssh, endpoint, serviceName);
    return { service, stoppedContainer, newContainer, recoverMs, stopMs, availability: { frontend, api } };
  } finally {
    done = true;
    await samplers;
  }
}
