import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import { defineFault } from '../../faults/define-fault';
import { sshConnectionArgs } from './connection-args';
import { overHost, sshTargets } from './ssh-targets';
import { apiInstanceIn } from '../api-instance';

const args = z
  .strictObject({
    service: z.enum(SERVICE_NAMES).describe('Service asked on its own port on the host (bypassing the proxy)'),
    path: z
      .string()
      .regex(/^\/[\x21-\x7e]*$/, 'expected a path starting with "/", printable characters only')
      .optional()
      .describe("Path requested (default: the service's health path from the outputs)"),
    expectStatus: z.number().int().min(100).max(599).default(200).describe('Status that counts as healthy (default 200)'),
    newInstance: z
      .boolean()
      .default(false)
      .describe(
        "The JSON body's \"instance\" must differ from every instance seen answering before this run's latest fault on the service (the API's /api/status)",
      ),
    sameInstance: z
      .boolean()
      .default(false)
      .describe(
        'The JSON body\'s "instance" must be one seen answering earlier in this run, when one was: in a steady-state hypothesis, the check after the method proves the service never restarted (heavy requests, a filled disk)',
      ),
    timeoutMs: z.number().int().positive().max(60_000).default(5000).describe('Milliseconds before the request fails (default 5000)'),
    ...sshConnectionArgs,
  })
  .refine((a) => !(a.newInstance && a.sameInstance), {
    message: 'newInstance and sameInstance contradict each other',
    path: ['sameInstance'],
  });

/**
 * `ssh:http-get`: GET `127.0.0.1:<port><path>` on the host (through the SSH connection, or with curl
 * run on the host over SSM), so the API
 * and the frontend can be checked while the proxy is down, and the API's answer proven to come
 * from a new instance after a fault.
 */
export const sshHttpGet = defineFault({
  id: 'ssh:http-get',
  kind: 'probe',
  description:
    "GET a service on its own port on the host (bypassing the proxy), through the SSH connection or with curl on the host over SSM; optionally require a new API instance since this run's fault",
  destructive: false,
  requires: [{ port: 'host' }],
  args,
  targets: (a, outputs) => sshTargets(a.service, outputs),
  describe: (a, target) => {
    const s = target.outputs.services[a.service];
    return `${overHost(target.use('host'))}: GET http://127.0.0.1:${s.port}${a.path ?? s.healthPath} on the host expecting ${a.expectStatus}${a.newInstance ? ' from an instance not seen before the fault' : ''}`;
  },
  async run(ctx, a) {
    const s = ctx.outputs.services[a.service];
    const path = a.path ?? s.healthPath;
    const url = `http://127.0.0.1:${s.port}${path}`;
    const started = ctx.clock.now();
    const host = ctx.use('host');
    const answer = await host.httpGet(a, ctx.signal, { port: s.port, path, timeoutMs: a.timeoutMs });
    const latencyMs = ctx.clock.now() - started;
    if (answer.status !== a.expectStatus)
      throw new ActivityFailedError(`GET ${url} on ${host.where} answered ${answer.status}, expected ${a.expectStatus}`);
    const instance = apiInstanceIn(answer.body);
    let newInstance: boolean | null = null;
    if (a.newInstance) {
      if (instance === null) throw new ActivityFailedError(`GET ${url} answered no JSON "instance" to compare`);
      const fault = ctx.record.lastFault(a.service);
      if (fault !== undefined) {
        const before = ctx.record.identitiesBefore(a.service, fault.at) ?? [];
        if (before.length === 0)
          throw new ActivityFailedError(
            `no ${a.service} instance was seen before the fault, so a new one cannot be proven (put this probe in the steady-state hypothesis)`,
          );
        newInstance = !before.includes(instance);
        if (!newInstance) throw new ActivityFailedError(`${url} still answers from instance ${instance}, which answered before the fault`);
      }
    }
    let sameInstance: boolean | null = null;
    if (a.sameInstance) {
      if (instance === null) throw new ActivityFailedError(`GET ${url} answered no JSON "instance" to compare`);
      const earlier = ctx.record.identitiesBefore(a.service, started);
      if (earlier.length > 0) {
        sameInstance = earlier.includes(instance);
        if (!sameInstance)
          throw new ActivityFailedError(
            `${url} answers from instance ${instance}, not the one seen earlier in this run (${earlier.join(', ')}): it restarted`,
          );
      }
    }
    if (instance !== null) ctx.record.observed({ service: a.service, identity: instance, at: started });
    return { service: a.service, url, status: answer.status, latencyMs, instance, newInstance, sameInstance };
  },
});
