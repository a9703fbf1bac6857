import { z } from 'zod';

/**
 * The stack outputs: the one contract between `stacks/` (which emits them) and `chaos/` (which reads
 * them), and the shape the local rehearsal writes too. Each top-level key is a Terraform output id,
 * emitted with exactly that name, so `cdktf deploy --outputs-file` and `terraform output -json` both
 * carry it unchanged.
 */

const nonEmpty = z.string().min(1, 'must be a non-empty string');

/** What a chaos experiment needs to find and check one service. */
export const serviceOutputSchema = z.strictObject({
  /** ECS service name (swarm service name locally). */
  serviceName: nonEmpty,
  /** Container name in the task definition; `docker stop` over SSH matches it exactly. */
  containerName: nonEmpty,
  /** Port the container listens on in the host network namespace. */
  port: z.number().int().min(1).max(65535),
  /** Path the container answers when alive. */
  healthPath: z.string().startsWith('/', 'must start with "/"'),
  /** Task definition family. */
  taskFamily: nonEmpty,
  /** CloudWatch log group (a label locally). */
  logGroup: nonEmpty,
});

/** What every target's outputs name. */
const commonOutputs = {
  /** Environment name from the config. */
  environment: nonEmpty,
  region: nonEmpty,
  clusterName: nonEmpty,
  clusterArn: nonEmpty,
  /** One entry per service: frontend, api, proxy. */
  services: z.strictObject({
    frontend: serviceOutputSchema,
    api: serviceOutputSchema,
    proxy: serviceOutputSchema,
  }),
  /** Auto Scaling group holding the single instance. */
  asgName: nonEmpty,
  /** Elastic IP that follows the instance. */
  publicIp: nonEmpty,
  /** URL users reach the platform at, through the proxy. */
  publicUrl: z.url(),
  sshUser: nonEmpty,
  sshHost: nonEmpty,
  sshPort: z.number().int().min(1).max(65535),
  /** EFS file system id holding the ACME account and certificates (a volume name locally). */
  certificateVolume: nonEmpty,
  /** Image repositories, one per service. */
  repositoryUrls: z.strictObject({
    frontend: nonEmpty,
    api: nonEmpty,
    proxy: nonEmpty,
  }),
};

/** What the stack emits: ECS on EC2. */
export const awsOutputsSchema = z.strictObject({ target: z.literal('aws'), ...commonOutputs });

/** What the rehearsal writes: the same names for its single-node swarm, and the engine it runs on. */
export const localOutputsSchema = z.strictObject({
  target: z.literal('local'),
  ...commonOutputs,
  /** `DOCKER_HOST` of the engine the rehearsal runs on; absent: the docker CLI's default. */
  dockerHost: nonEmpty.optional(),
});

/** Where the platform runs decides the rest: `aws` (ECS on EC2) or `local` (the single-node swarm rehearsal). */
export const platformOutputsSchema = z.discriminatedUnion('target', [awsOutputsSchema, localOutputsSchema]);

/** Every output of a deployed platform, parsed and validated. */
export type PlatformOutputs = z.infer<typeof platformOutputsSchema>;
/** The outputs describing one service. */
export type ServiceOutputs = z.infer<typeof serviceOutputSchema>;

/** The outputs of a local rehearsal. */
export type LocalOutputs = z.infer<typeof localOutputsSchema>;

/** Output ids the stack emits, in a stable order. */
export const OUTPUT_IDS = Object.keys(awsOutputsSchema.shape) as readonly (keyof PlatformOutputs)[];
