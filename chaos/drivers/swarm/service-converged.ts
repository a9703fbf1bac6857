import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { defineFault } from '../../faults/define-fault';
import { serviceConvergence } from '../../adapters/swarm/swarm-tasks';

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
  args,
  targets: (a, outputs) => [{ kind: 'service', service: outputs.services[a.service].serviceName }],
  describe: (a, outputs) =>
    `docker service ls / service ps ${outputs.services[a.service].serviceName}: running = desired, none pending, a stopped task replaced`,
  run: (ctx, a) => serviceConvergence(ctx, a.service, 'swarm:service-converged'),
});
