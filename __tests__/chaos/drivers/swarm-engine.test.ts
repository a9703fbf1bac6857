/**
 * The swarm driver against a real engine, when one answers (`DOCKER_HOST`, else the rehearsal's
 * socket from .rehearsal/rehearsal.json): a throwaway service of its own, never the rehearsal's.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { localDockerCli, rehearsalDockerHost } from '../../../chaos/drivers/swarm/docker-cli';
import { swarmServiceConverged } from '../../../chaos/drivers/swarm/service-converged';
import { swarmStopTask } from '../../../chaos/drivers/swarm/stop-task';
import type { JsonValue } from '../../../chaos/model/json';
import { contextFor, runFault } from './support/context';
import { testOutputs } from './support/outputs';

const REPO = join(__dirname, '..', '..', '..');
const IMAGE = 'debian:bookworm-slim';
const SERVICE = `chaos-driver-test-${process.pid}`;
const host = rehearsalDockerHost(process.env, REPO);
const env = { ...process.env, ...(host === null ? {} : { DOCKER_HOST: host }) };

function docker(args: readonly string[]): string {
  return execFileSync('docker', [...args], { env, encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function engineReady(): string | null {
  try {
    if (docker(['info', '--format', '{{.Swarm.LocalNodeState}}']) !== 'active') return 'the engine is not in an active swarm';
    docker(['image', 'inspect', '--format', '{{.Id}}', IMAGE]);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0] ?? 'no engine' : 'no engine';
  }
}

const notReady = engineReady();
if (notReady !== null) console.warn(`\n!!! SKIPPING the swarm driver's real-engine test (${host ?? 'default DOCKER_HOST'}): ${notReady}\n`);
const describeWithEngine = notReady === null ? describe : describe.skip;

describeWithEngine('swarm driver against a real engine', () => {
  beforeAll(() => {
    docker(['service', 'create', '--detach', '--name', SERVICE, '--init', '--no-resolve-image', '--restart-condition', 'any', '--restart-delay', '0s', '--stop-grace-period', '1s', IMAGE, 'sleep', 'infinity']);
  });
  afterAll(() => {
    docker(['service', 'rm', SERVICE]);
  });

  it('stops the running task and proves a new one replaced it', async () => {
    const outputs = testOutputs();
    const ctx = contextFor({ ...outputs, services: { ...outputs.services, api: { ...outputs.services.api, serviceName: SERVICE } } }, { docker: () => localDockerCli({ env }) });
    const until = async (done: (r: JsonValue) => boolean): Promise<JsonValue> => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const r = await runFault(swarmServiceConverged, { service: 'api' }, ctx);
        if (done(r) || Date.now() > deadline) return r;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const isConverged = (r: JsonValue): boolean => typeof r === 'object' && r !== null && !Array.isArray(r) && r.converged === true;
    await expect(until(isConverged)).resolves.toMatchObject({ converged: true, running: 1, desired: 1 });
    const stopped = await runFault(swarmStopTask, { service: 'api', reason: 'driver test' }, ctx);
    expect(stopped).toMatchObject({ serviceName: SERVICE, reason: 'driver test' });
    const after = await until(isConverged);
    expect(after).toMatchObject({ converged: true, running: 1 });
    const old = typeof stopped === 'object' && stopped !== null && !Array.isArray(stopped) ? stopped.stoppedTask : null;
    expect(after).toMatchObject({ stoppedTask: old, newTask: expect.stringMatching(/^[a-z0-9]{25}$/) });
    expect(after).not.toMatchObject({ newTask: old });
  }, 60_000);
});
