import { sshHttpGet } from '../../../chaos/drivers/ssh/http-get';
import type { HostAccess } from '../../../chaos/faults/ports';
import { withHost } from '../helpers/recording-host';
import { contextFor, runFault } from './support/context';
import { testOutputs } from './support/outputs';

/** A host whose API answers from `instance.current`. */
function apiHost(instance: { current: string }): HostAccess {
  return {
    name: 'ssh',
    where: 'root@fake',
    host: '127.0.0.1',
    withSession: () => Promise.reject(new Error('no commands here')),
    httpGet: async () => ({ status: 200, body: JSON.stringify({ service: 'api', instance: instance.current }) }),
  };
}

describe('ssh:http-get sameInstance: no restart since the instance seen earlier in the run', () => {
  const probe = { service: 'api', path: '/api/status', sameInstance: true };

  it('passes first (nothing seen yet), then while the same instance answers, and fails once another does', async () => {
    const instance = { current: 'instance-a' };
    const ctx = withHost(contextFor(testOutputs()), apiHost(instance));
    await expect(runFault(sshHttpGet, probe, ctx)).resolves.toMatchObject({ instance: 'instance-a', sameInstance: null });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(runFault(sshHttpGet, probe, ctx)).resolves.toMatchObject({ instance: 'instance-a', sameInstance: true });
    instance.current = 'instance-b';
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(runFault(sshHttpGet, probe, ctx)).rejects.toThrow(
      /answers from instance instance-b, not the one seen earlier in this run \(instance-a\): it restarted/,
    );
  });

  it('refuses newInstance and sameInstance together', () => {
    expect(sshHttpGet.bind({ ...probe, newInstance: true }).ok).toBe(false);
  });
});
