import { rehearsalCopies } from './stack-file';
import { run } from './command';
import { StepFailedError } from './errors';
import { httpGet, waitUntil, type CheckResult } from './http-check';
import { STACK_NAME } from './settings';
import { SERVICE_NAME_LABEL, STACK_LABEL, swarmServiceName } from './swarm';

/**
 * The rehearsal's steady state, where every experiment starts: each service runs exactly one
 * container, healthy, and the proxy serves "/". An experiment that ends while swarm still settles
 * a replacement (the old task's container going away, the new one's first health check) would
 * otherwise make the next one's hypothesis fail before it injects anything.
 */

async function look(dockerHost: string, publicUrl: string): Promise<CheckResult> {
  const out = await run(
    'docker',
    ['ps', '--filter', `label=${STACK_LABEL}=${STACK_NAME}`, '--format', `{{.Label "${SERVICE_NAME_LABEL}"}}\t{{.Status}}`],
    {
      env: { DOCKER_HOST: dockerHost },
    },
  );
  const containers = out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
  for (const copy of rehearsalCopies()) {
    const statuses = containers.filter(([name]) => name === swarmServiceName(copy.name)).map(([, status]) => status ?? '');
    if (statuses.length !== 1 || !statuses[0]?.includes('(healthy)')) {
      return { state: 'waiting', reason: `${copy.name}: ${statuses.join(', ') || 'no container'}` };
    }
  }
  try {
    const page = await httpGet(`${publicUrl}/`, { timeoutMs: 2000 });
    return page.status === 200 ? { state: 'done' } : { state: 'waiting', reason: `the proxy answered "/" with ${page.status}` };
  } catch (error) {
    return { state: 'waiting', reason: `the proxy: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Waits for the steady state; throws with what is still missing after `timeoutMs`. */
export async function waitForSteadyState(dockerHost: string, publicUrl: string, timeoutMs = 60_000): Promise<void> {
  const result = await waitUntil(() => look(dockerHost, publicUrl), timeoutMs);
  if (result.state !== 'done')
    throw new StepFailedError(`the rehearsal is not in its steady state after ${timeoutMs / 1000} s: ${result.reason}`);
}
