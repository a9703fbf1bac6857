import { z } from 'zod';
import type { PlatformOutputs } from '../contract/outputs';
import { httpGet } from './http-check';
import { sleep } from './processes';
import { sshRun, type SshEndpoint } from './sshd';
import { SERVICE_NAME_LABEL } from './swarm';

/**
 * One measured fault, the way an operator causes it: `docker stop` of the api container over SSH,
 * then `/api/status` through the proxy until a new process answers. Used by the e2e test and by
 * `bench/rehearsal-recovery.ts`; the chaos module measures the same thing with its own engine.
 */

/** What one stop-and-recover measured. */
interface ApiRecovery {
  readonly stoppedContainer: string;
  readonly newContainer: string;
  readonly oldInstance: string;
  readonly newInstance: string;
  /** From just before `docker stop` to the first `/api/status` answer from a new instance. */
  readonly recoverMs: number;
  /** How long `docker stop` over SSH took (connection, SIGTERM, the API's exit). */
  readonly stopMs: number;
  /** Frontend (`/` through the proxy) requests that succeeded while the API was recovering. */
  readonly frontend: { readonly ok: number; readonly total: number };
}

const statusSchema = z.object({ instance: z.string().min(1) });

const SAMPLE_MS = 50;

/** The instance id `/api/status` answers with through the proxy, or undefined when it does not answer. */
export async function apiInstance(publicUrl: string): Promise<string | undefined> {
  try {
    const answer = await httpGet(`${publicUrl}/api/status`, { timeoutMs: 1000 });
    if (answer.status !== 200) return undefined;
    const parsed = statusSchema.safeParse(JSON.parse(answer.body));
    return parsed.success ? parsed.data.instance : undefined;
  } catch {
    // Refused, reset or not JSON while the API is down: not answering yet.
    return undefined;
  }
}

/** The instance id copy 1 answers with on its own port (not through the proxy). */
async function copyInstance(port: number): Promise<string | undefined> {
  return apiInstance(`http://127.0.0.1:${port}`);
}

/** The id of the one running container of a swarm service, as `docker ps` over SSH sees it. */
export async function containerOf(ssh: string, endpoint: SshEndpoint, serviceName: string): Promise<string> {
  const ids = (await sshRun(ssh, endpoint, ['docker', 'ps', '-q', '--filter', `label=${SERVICE_NAME_LABEL}=${serviceName}`]))
    .split('\n')
    .filter((l) => l !== '');
  if (ids.length !== 1 || ids[0] === undefined) throw new Error(`expected one running container of ${serviceName}, found ${ids.length}`);
  return ids[0];
}

/** Samples `/` through the proxy until `done()`; counts the 2xx answers. */
async function sampleFrontend(publicUrl: string, done: () => boolean): Promise<{ ok: number; total: number }> {
  let ok = 0;
  let total = 0;
  while (!done()) {
    total += 1;
    try {
      const answer = await httpGet(`${publicUrl}/`, { timeoutMs: 1000 });
      if (answer.status >= 200 && answer.status < 300) ok += 1;
    } catch {
      // A failed request is what availability counts.
    }
    await sleep(SAMPLE_MS);
  }
  return { ok, total };
}

/** Stops the api container over SSH and waits (at most `timeoutMs`) for a new instance through the proxy. */
export async function measureApiRecovery(
  ssh: string,
  endpoint: SshEndpoint,
  outputs: PlatformOutputs,
  timeoutMs = 60_000,
): Promise<ApiRecovery> {
  const serviceName = outputs.services.api.serviceName;
  const stoppedContainer = await containerOf(ssh, endpoint, serviceName);
  // The proxy balances over the API's copies: every instance answering before the stop is old
  // (copy 1, whose container is stopped, and the others, which keep serving).
  const before = new Set<string>();
  for (let i = 0; i < 10; i += 1) {
    const seen = await apiInstance(outputs.publicUrl);
    if (seen !== undefined) before.add(seen);
  }
  const oldInstance = await copyInstance(outputs.services.api.port);
  if (before.size === 0 || oldInstance === undefined) throw new Error('the API does not answer through the proxy before the fault');
  let recovered = false;
  const frontend = sampleFrontend(outputs.publicUrl, () => recovered);
  const started = Date.now();
  await sshRun(ssh, endpoint, ['docker', 'stop', stoppedContainer]);
  const stopMs = Date.now() - started;
  let newInstance: string | undefined;
  while (Date.now() - started < timeoutMs) {
    newInstance = await apiInstance(outputs.publicUrl);
    if (newInstance !== undefined && !before.has(newInstance)) break;
    await sleep(SAMPLE_MS);
  }
  const recoverMs = Date.now() - started;
  recovered = true;
  const frontendSamples = await frontend;
  if (newInstance === undefined || before.has(newInstance)) throw new Error(`no new API instance answered within ${timeoutMs} ms`);
  const newContainer = await containerOf(ssh, endpoint, serviceName);
  return { stoppedContainer, newContainer, oldInstance, newInstance, recoverMs, stopMs, frontend: frontendSamples };
}
