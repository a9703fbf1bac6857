import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { defineFault } from '../../faults/define-fault';

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe('Service to check'),
});

/**
 * `swarm:service-converged`: running = desired with nothing pending, and once this run stopped a
 * task (or container) of the service, that one gone and a new one running. Reports
 * `converged: true|false`; judge it with `{type: jsonpath, path: $.converged, expect: true}`.
 */
export const swarmServiceConverged = defineFault({
  id: 'swarm:service-converged',
  kind: 'probe',
  description:
    'Local target: running = desired with nothing pending for a swarm service, and the task this run stopped replaced by a new one. Reports converged: true or false',
  destructive: false,
  requires: [
    { port: 'orchestrator', adapter: 'swarm', why: "it acts on the local rehearsal's swarm: use ecs:stop-task / ecs:service-stable" },
  ],
  args,
  targets: (a, outputs) => [{ kind: 'service', service: outputs.services[a.service].serviceName }],
  describe: (a, target) => target.use('orchestrator').describeServiceStable(a.service),
  async run(ctx, a) {
    // The orchestrator's verdict under this module's own name: `converged`, as the rehearsal reports it.
    const { stable: _stable, orchestrator: _orchestrator, ...convergence } = await ctx.use('orchestrator').serviceStable(ctx, a.service);
    return convergence;
  },
});
