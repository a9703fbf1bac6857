import { z } from 'zod';
import { copiesOf } from '../../../contract/outputs';
import { SERVICE_NAMES } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import { defineFault } from '../../faults/define-fault';
import { IMAGE_TAG } from '../../adapters/swarm/swarm-rolling';

const args = z.strictObject({
  service: z.enum(SERVICE_NAMES).describe('Service whose copies get the new image tag, one at a time'),
  tag: z
    .string()
    .regex(IMAGE_TAG, 'expected a Docker tag: letters, digits, "_", "." and "-", at most 128 characters')
    .default('rolling')
    .describe('The new tag (the same image content tagged anew on the engine; default "rolling")'),
  timeoutSeconds: z.number().int().min(5).max(600).default(90).describe('Seconds each copy may take to run the new image, healthy'),
  settleSeconds: z
    .number()
    .min(0)
    .max(60)
    .default(2)
    .describe("Seconds between a copy healthy on the new image and the next copy's stop (longer than the proxy's 1 s fail_timeout)"),
});

/** What `run` returns and `rollback` reads back: each copy's image before. */
const rolled = z.looseObject({ copies: z.array(z.looseObject({ serviceName: z.string().min(1), from: z.string().min(1) })) });

/**
 * `swarm:rolling-update`: a deployment of a new image tag over a service's copies, one copy at a
 * time (stop-first per copy: its port is fixed), as Terraform rolls them on ECS. The rollback
 * rolls the copies back to the images they ran, the same way.
 */
export const swarmRollingUpdate = defineFault({
  id: 'swarm:rolling-update',
  kind: 'action',
  description:
    "Local target: deploy a new image tag over a service's copies one at a time, each healthy on it before the next stops; rollbacks roll back the same way",
  destructive: true,
  requires: [
    {
      port: 'orchestrator',
      adapter: 'swarm',
      why: 'on ECS a new imageTag is deployed by Terraform, which rolls the copies one at a time (copy 2 waits for copy 1 to be steady)',
    },
  ],
  args,
  targets: (a, outputs) =>
    copiesOf(outputs.services[a.service])
      .map((c) => c.serviceName)
      .map((service) => ({
        kind: 'service' as const,
        service,
      })),
  describe: (a, { outputs }) => {
    const names = copiesOf(outputs.services[a.service]).map((c) => c.serviceName);
    return `local target: for ${names.join(', then ')}: docker image tag <its image> <repository>:${a.tag}, docker service update --image <repository>:${a.tag} (stop-first), wait until it runs healthy (at most ${a.timeoutSeconds}s), ${a.settleSeconds}s more; undone in rollbacks`;
  },
  async run(ctx, a) {
    const orchestrator = ctx.use('orchestrator');
    if (orchestrator.rollingUpdate === undefined) throw new ActivityFailedError(`the ${orchestrator.name} adapter has no rolling update`);
    return orchestrator.rollingUpdate(ctx, a.service, { tag: a.tag, timeoutSeconds: a.timeoutSeconds, settleSeconds: a.settleSeconds });
  },
  async rollback(ctx, a, runResult) {
    const parsed = rolled.safeParse(runResult);
    if (!parsed.success) throw new ActivityFailedError('swarm:rolling-update rollback: the run recorded no images to go back to');
    const orchestrator = ctx.use('orchestrator');
    if (orchestrator.rollingUpdate === undefined) throw new ActivityFailedError(`the ${orchestrator.name} adapter has no rolling update`);
    const images = Object.fromEntries(parsed.data.copies.map((c) => [c.serviceName, c.from]));
    return orchestrator.rollingUpdate(ctx, a.service, {
      tag: a.tag,
      timeoutSeconds: a.timeoutSeconds,
      settleSeconds: a.settleSeconds,
      images,
    });
  },
});
