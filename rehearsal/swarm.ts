import { mkdirSync, writeFileSync } from 'node:fs';
import { SERVICES } from '../contract/services';
import type { ProxySite } from './acme';
import { run, runCommand } from './command';
import { dockerEnv, type Engine } from './docker-engine';
import { StepFailedError } from './errors';
import { answers, waitUntil, type CheckResult } from './http-check';
import { POLL_MS, sleep } from './processes';
import { rehearsalFiles, STACK_NAME, type RehearsalSettings } from './settings';
import { SPEC_LABEL, type StackFile } from './stack-file';

/** Label swarm puts on every service and container of a stack. */
export const STACK_LABEL = 'com.docker.stack.namespace';
/** Label swarm puts on every task's container: exact, where `--filter name=api` also matches `frontend-api`. */
export const SERVICE_NAME_LABEL = 'com.docker.swarm.service.name';

/**
 * Swarm service name of a platform service's copy (`docker stack deploy` names them
 * `<stack>_<key>`, the key being the copy's name: `api`, `api-2`, …).
 */
export function swarmServiceName(copyName: string): string {
  return `${STACK_NAME}_${copyName}`;
}

/** The swarm the rehearsal deploys into. */
interface Swarm {
  /** The rehearsal ran `swarm init`: `down` leaves it again. */
  readonly initialized: boolean;
  readonly clusterId: string;
  readonly nodeId: string;
}

async function swarmInfo(engine: Engine): Promise<{ state: string; clusterId: string; nodeId: string }> {
  const out = await run(
    'docker',
    ['info', '--format', '{{.Swarm.LocalNodeState}} {{with .Swarm.Cluster}}{{.ID}}{{end}} {{.Swarm.NodeID}}'],
    { env: dockerEnv(engine) },
  );
  const [state = '', clusterId = '', nodeId = ''] = out.split(' ');
  return { state, clusterId, nodeId };
}

/** A single-node swarm on loopback: initialised when the engine is in none. */
export async function ensureSwarm(engine: Engine): Promise<Swarm> {
  const before = await swarmInfo(engine);
  if (before.state === 'active') return { initialized: false, clusterId: before.clusterId, nodeId: before.nodeId };
  if (before.state !== 'inactive') {
    throw new StepFailedError(`the engine's swarm is "${before.state}": fix or leave it (docker swarm leave --force), then run up again`);
  }
  await run(
    'docker',
    // Loopback for both the advertised and the listening address (the default listens on every
    // interface); one old task per slot is all the history anyone reads.
    ['swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', '127.0.0.1:2377', '--task-history-limit', '1'],
    { env: dockerEnv(engine) },
  );
  const after = await swarmInfo(engine);
  return { initialized: true, clusterId: after.clusterId, nodeId: after.nodeId };
}

/** Whether the stack has a service already (then its ports are ours, not someone else's). */
export async function stackServices(engine: Engine): Promise<readonly string[]> {
  const result = await runCommand('docker', ['service', 'ls', '--filter', `label=${STACK_LABEL}=${STACK_NAME}`, '--format', '{{.Name}}'], {
    env: dockerEnv(engine),
  });
  return result.code === 0 ? result.stdout.split('\n').filter((line) => line !== '') : [];
}

/** Writes the stack file to `.rehearsal/stack.json` and deploys it (creates or updates in place). */
export async function deployStack(settings: RehearsalSettings, engine: Engine, stack: StackFile): Promise<void> {
  const files = rehearsalFiles(settings);
  mkdirSync(settings.rehearsalDir, { recursive: true });
  writeFileSync(files.stack, `${JSON.stringify(stack, null, 2)}\n`);
  // `never`: the images are local only; resolving them would ask Docker Hub.
  await run('docker', ['stack', 'deploy', '--compose-file', files.stack, '--resolve-image', 'never', '--prune', STACK_NAME], {
    env: dockerEnv(engine),
  });
}

/** One container of the stack, as `docker ps -a` shows it. */
interface StackContainer {
  readonly service: string;
  readonly spec: string;
  readonly task: string;
  readonly state: string;
  readonly status: string;
}

export async function stackContainers(engine: Engine): Promise<readonly StackContainer[]> {
  const labels = [SERVICE_NAME_LABEL, SPEC_LABEL, 'com.docker.swarm.task.id'].map((l) => `{{.Label "${l}"}}`);
  const format = [...labels, '{{.State}}', '{{.Status}}'].join('\t');
  const out = await run('docker', ['ps', '-a', '--filter', `label=${STACK_LABEL}=${STACK_NAME}`, '--format', format], {
    env: dockerEnv(engine),
  });
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [service = '', spec = '', task = '', state = '', status = ''] = line.split('\t');
      return { service, spec, task, state, status };
    });
}

/** A task that is replaced this many times while `up` waits is crashing at every start. */
const CRASH_LOOP_TASKS = 4;

/**
 * Tracks the stack's convergence: every service runs exactly one container, of the current spec,
 * and healthy. Remembers the tasks seen, to give up early on a crash loop.
 */
export class Convergence {
  private readonly tasksSeen = new Map<string, Set<string>>();

  constructor(private readonly stack: StackFile) {}

  check(containers: readonly StackContainer[]): CheckResult {
    const waiting: string[] = [];
    for (const [key, entry] of Object.entries(this.stack.services)) {
      const name = swarmServiceName(key);
      const spec = entry.labels[SPEC_LABEL] ?? '';
      const current = containers.filter((c) => c.service === name && c.spec === spec);
      const seen = this.tasksSeen.get(name) ?? new Set<string>();
      for (const c of current) seen.add(c.task);
      this.tasksSeen.set(name, seen);
      if (seen.size >= CRASH_LOOP_TASKS) return { state: 'failed', reason: `${name} is restarting in a loop (${seen.size} tasks)` };
      const running = containers.filter((c) => c.service === name && c.state === 'running');
      const [only] = running;
      if (running.length !== 1 || only === undefined) waiting.push(`${name}: ${running.length} containers running`);
      else if (only.spec !== spec) waiting.push(`${name}: still the previous spec`);
      else if (!only.status.includes('(healthy)')) waiting.push(`${name}: ${only.status}`);
    }
    return waiting.length === 0 ? { state: 'done' } : { state: 'waiting', reason: waiting.join('; ') };
  }
}

/** What swarm says about a service's tasks, for a message when it never became healthy. */
async function diagnose(engine: Engine, service: string): Promise<string> {
  const tasks = await runCommand('docker', ['service', 'ps', '--no-trunc', '--format', '{{.Name}} {{.CurrentState}} {{.Error}}', service], {
    env: dockerEnv(engine),
  });
  const logs = await runCommand('docker', ['service', 'logs', '--raw', '--tail', '15', service], {
    env: dockerEnv(engine),
    timeoutMs: 15_000,
  });
  return `${service} tasks:\n${tasks.stdout.trim()}\n${service} log (last lines):\n${(logs.stdout + logs.stderr).trim()}`;
}

/**
 * Waits until every service runs exactly one container, of the spec just deployed, and healthy;
 * then until each answers its own health path and the proxy serves the frontend and the API at
 * `site` (HTTPS in the ACME mode, where plain HTTP redirects once the certificate is there).
 */
export async function waitForStack(engine: Engine, stack: StackFile, proxyPort: number, site: ProxySite, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const left = (): number => Math.max(0, deadline - Date.now());
  const convergence = new Convergence(stack);
  const converged = await waitUntil(async () => convergence.check(await stackContainers(engine)), left());
  if (converged.state !== 'done') {
    const details = await Promise.all(Object.keys(stack.services).map((s) => diagnose(engine, swarmServiceName(s))));
    const why = converged.state === 'failed' ? converged.reason : `not converged within ${timeoutMs / 1000}s: ${converged.reason}`;
    throw new StepFailedError(`the stack did not come up (${why})\n${details.join('\n')}`);
  }
  const checks: readonly (readonly [string, () => Promise<CheckResult>])[] = [
    // Each copy of the API and the frontend on its own port (its PORT), straight, not through the proxy.
    ...Object.entries(stack.services)
      .filter(([, entry]) => entry.environment.PORT !== undefined)
      .map(([key, entry]) => [key, answers(`http://127.0.0.1:${entry.environment.PORT ?? ''}/healthz`)] as const),
    ['proxy', answers(`http://127.0.0.1:${proxyPort}${SERVICES.proxy.healthPath}`)],
    ['proxy', answers(`${site.base}/`, (body) => /<html/i.test(body), site.servername)],
    ['proxy', answers(`${site.base}/api/status`, (body) => /"service"\s*:\s*"api"/.test(body), site.servername)],
  ];
  for (const [service, check] of checks) {
    const result = await waitUntil(check, left());
    if (result.state !== 'done') {
      throw new StepFailedError(`${result.reason}\n${await diagnose(engine, swarmServiceName(service))}`);
    }
  }
}

/** Removes the stack and waits until its containers are gone (they stop within their grace periods). */
export async function removeStack(engine: Engine, timeoutMs: number): Promise<number> {
  const env = dockerEnv(engine);
  const before = await stackServices(engine);
  if (before.length > 0) await run('docker', ['stack', 'rm', STACK_NAME], { env });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await run('docker', ['ps', '-aq', '--filter', `label=${STACK_LABEL}=${STACK_NAME}`], { env });
    if (left === '') return before.length;
    if (Date.now() > deadline)
      throw new StepFailedError(`containers of the stack still exist after ${timeoutMs / 1000}s: ${left.split('\n').join(' ')}`);
    await sleep(POLL_MS * 2);
  }
}

/** Leaves the swarm (single node, so `--force`: there is no other manager to keep quorum). */
export async function leaveSwarm(engine: Engine): Promise<boolean> {
  const { state } = await swarmInfo(engine);
  if (state === 'inactive') return false;
  await run('docker', ['swarm', 'leave', '--force'], { env: dockerEnv(engine) });
  return true;
}
