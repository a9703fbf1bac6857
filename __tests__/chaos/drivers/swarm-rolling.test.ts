import { swarmRollingUpdate } from '../../../chaos/drivers/swarm/rolling-update';
import { retagged } from '../../../chaos/adapters/swarm/swarm-rolling';
import type { LocalOutputs } from '../../../contract/outputs';
import { contextFor, rollbackFault, runFault } from './support/context';
import { testOutputs } from './support/outputs';
import { RecordedDocker } from './support/recorded-docker';

/** Outputs naming two copies of the api (platform-test-api, platform-test-api-2). */
function twoCopies(): LocalOutputs {
  const outputs = testOutputs();
  const api = outputs.services.api;
  return {
    ...outputs,
    services: {
      ...outputs.services,
      api: {
        ...api,
        copies: [
          { serviceName: api.serviceName, containerName: api.containerName, port: 8080, taskFamily: api.taskFamily },
          { serviceName: `${api.serviceName}-2`, containerName: api.containerName, port: 8082, taskFamily: `${api.taskFamily}-2` },
        ],
      },
    },
  };
}

/** An engine whose services move to whatever image `service update` last gave them, healthy at once. */
function engine(images: Record<string, string>): RecordedDocker {
  const docker = new RecordedDocker();
  for (const name of Object.keys(images)) {
    docker.on(['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}', name], () => `${images[name] ?? ''}\n`);
    docker.on(
      ['ps', '--filter', `label=com.docker.swarm.service.name=${name}`],
      () => `abc123 ${images[name] ?? ''} Up 3 seconds (healthy)\n`,
    );
  }
  docker.on(['image', 'tag'], '');
  const update = docker.run.bind(docker);
  docker.run = async (args) => {
    const result = await update(args);
    if (args[0] === 'service' && args[1] === 'update') {
      const name = args[args.length - 1] ?? '';
      images[name] = args[args.indexOf('--image') + 1] ?? '';
      return { code: 0, stdout: '', stderr: '' };
    }
    return result;
  };
  return docker;
}

describe('swarm:rolling-update', () => {
  it('takes a service and a Docker tag; refuses a tag that is not one', () => {
    expect(swarmRollingUpdate.bind({ service: 'api', tag: 'v2.1' }).ok).toBe(true);
    expect(swarmRollingUpdate.bind({ service: 'api', tag: '--force' }).ok).toBe(false);
    expect(swarmRollingUpdate.bind({ service: 'api', tag: 'a:b' }).ok).toBe(false);
  });

  it('retags a reference, keeping a registry port', () => {
    expect(retagged('platform/api:local', 'v2')).toBe('platform/api:v2');
    expect(retagged('127.0.0.1:5000/platform/api', 'v2')).toBe('127.0.0.1:5000/platform/api:v2');
  });

  it('GIVEN two copies THEN copy 1 moves to the tag and runs it healthy before copy 2 is touched, and the rollback rolls both back', async () => {
    const images = { 'platform-test-api': 'platform/api:local', 'platform-test-api-2': 'platform/api:local' };
    const docker = engine(images);
    const ctx = contextFor(twoCopies(), { docker: () => docker });
    const args = { service: 'api', tag: 'v2', settleSeconds: 0 };
    const result = await runFault(swarmRollingUpdate, args, ctx);
    expect(result).toMatchObject({
      service: 'api',
      tag: 'v2',
      copies: [
        { serviceName: 'platform-test-api', from: 'platform/api:local', to: 'platform/api:v2', changed: true },
        { serviceName: 'platform-test-api-2', from: 'platform/api:local', to: 'platform/api:v2', changed: true },
      ],
    });
    const updates = docker.calls.filter((c) => c[1] === 'update').map((c) => c[c.length - 1]);
    expect(updates).toEqual(['platform-test-api', 'platform-test-api-2']);
    // Copy 2's update comes only after copy 1 was seen running the new image.
    const firstCheck = docker.calls.findIndex((c) => c[0] === 'ps' && c.includes('label=com.docker.swarm.service.name=platform-test-api'));
    const secondUpdate = docker.calls.findIndex((c) => c[1] === 'update' && c.includes('platform-test-api-2'));
    expect(firstCheck).toBeGreaterThan(-1);
    expect(firstCheck).toBeLessThan(secondUpdate);
    expect(docker.calls).toContainEqual([
      'service',
      'update',
      '--detach',
      '--quiet',
      '--no-resolve-image',
      '--update-order',
      'stop-first',
      '--image',
      'platform/api:v2',
      'platform-test-api',
    ]);

    const back = await rollbackFault(swarmRollingUpdate, args, ctx, result);
    expect(back).toMatchObject({
      copies: [
        { to: 'platform/api:local', changed: true },
        { to: 'platform/api:local', changed: true },
      ],
    });
    expect(images).toEqual({ 'platform-test-api': 'platform/api:local', 'platform-test-api-2': 'platform/api:local' });
  });

  it('GIVEN a copy that never runs the new image healthy THEN it fails naming it, and the next copy is not touched', async () => {
    const docker = new RecordedDocker()
      .on(['service', 'inspect'], 'platform/api:local\n')
      .on(['image', 'tag'], '')
      .on(['service', 'update'], '')
      .on(['ps'], 'abc123 platform/api:v2 Up 1 second (health: starting)\n');
    const ctx = contextFor(twoCopies(), { docker: () => docker });
    await expect(runFault(swarmRollingUpdate, { service: 'api', tag: 'v2', timeoutSeconds: 5, settleSeconds: 0 }, ctx)).rejects.toThrow(
      'platform-test-api did not run platform/api:v2 healthy within 5s; the copies after it were not touched',
    );
    expect(docker.calls.filter((c) => c[1] === 'update').map((c) => c[c.length - 1])).toEqual(['platform-test-api']);
  }, 20_000);
});
