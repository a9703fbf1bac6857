/**
 * The swarm driver against the rehearsal's real engine: a throwaway service of its own (never the
 * rehearsal's), stopped through the driver, its replacement proven by the convergence probe.
 */
import { execFileSync } from 'node:child_process';
import { localDockerCli } from '../../chaos/adapters/swarm/docker-cli';
import { swarmServiceConverged } from '../../chaos/drivers/swarm/service-converged';
import { swarmStopTask } from '../../chaos/drivers/swarm/stop-task';
import type { JsonValue } from '../../contract/json';
import { contextFor, runFault } from '../chaos/drivers/support/context';
import { testOutputs } from '../chaos/drivers/support/outputs';
import { describeIfPossible, holdRehearsal } from './support/rehearsal-session';
import { missingForRehearsal } from './support/rehearsal-cli';

const IMAGE = 'debian:bookworm-slim';
const SERVICE = `chaos-driver-test-${process.pid}`;

describeIfPossible(missingForRehearsal(), 'the swarm driver test')('swarm driver against a real engine', () => {
  const dockerIn = (dockerEnv: Readonly<Record<string, string>>, args: readonly string[]): string =>
    execFileSync('docker', [...args], {
      env: { ...process.env, ...dockerEnv },
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  // The throwaway service goes before the rehearsal's own `down` (which stops the engine).
  const rehearsal = holdRehearsal({ beforeDown: async (r) => void dockerIn(r.dockerEnv, ['service', 'rm', SERVICE]) });
  const env = () => ({ ...process.env, ...rehearsal().dockerEnv });
  const docker = (args: readonly string[]): string => dockerIn(rehearsal().dockerEnv, args);

  beforeAll(() => {
    docker([
      'service',
      'create',
      '--detach',
      '--name',
      SERVICE,
      '--init',
      '--no-resolve-image',
      '--restart-condition',
      'any',
      '--restart-delay',
      '0s',
      '--stop-grace-period',
      '1s',
      IMAGE,
      'sleep',
      'infinity',
    ]);
  });

  it('stops the running task and proves a new one replaced it', async () => {
    const outputs = testOutputs();
    const ctx = contextFor(
      { ...outputs, services: { ...outputs.services, api: { ...outputs.services.api, serviceName: SERVICE } } },
      { docker: () => localDockerCli({ env: env() }) },
    );
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
