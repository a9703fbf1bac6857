import { z } from 'zod';
import { awsNames, ECR_REPOSITORY_URL, ECS_CLUSTER_ARN, localNames, sharedNames } from './output-names';

/**
 * The stack outputs: the one contract between `stacks/` (which emits them) and `chaos/` (which reads
 * them), and the shape the local rehearsal writes too. Each top-level key is a Terraform output id,
 * emitted with exactly that name, so `cdktf deploy --outputs-file` and `terraform output -json` both
 * carry it unchanged. Every name is checked against what its target allows (`output-names.ts`).
 */

/** How one target spells its names; see `output-names.ts`. */
type TargetNames = typeof awsNames | typeof localNames;

/** One copy of a service (contract/services.ts): its own ECS service (swarm service) on its own port. */
function copyOutputSchema(names: TargetNames) {
  return z.strictObject({
    serviceName: names.serviceName,
    containerName: names.containerName,
    port: z.number().int().min(1).max(65535),
    taskFamily: names.taskFamily,
  });
}

/**
 * What a chaos experiment needs to find and check one service. The service's own fields name its
 * copy 1, which is what a fault on "the api" acts on (one copy, the others keep serving); `copies`
 * lists every copy, copy 1 first.
 */
function serviceOutputSchema(names: TargetNames) {
  return z.strictObject({
    /** ECS service name (swarm service name locally). */
    serviceName: names.serviceName,
    /** Container name in the task definition; `docker stop` over SSH matches it exactly. */
    containerName: names.containerName,
    /** Port the container listens on in the host network namespace. */
    port: z.number().int().min(1).max(65535),
    /** Path the container answers when alive. */
    healthPath: sharedNames.healthPath,
    /** Task definition family. */
    taskFamily: names.taskFamily,
    /** CloudWatch log group (a label locally). */
    logGroup: sharedNames.logGroup,
    /** Every copy, copy 1 (the fields above) first; absent: one copy (outputs from before copies). */
    copies: z.array(copyOutputSchema(names)).min(1).max(8).optional(),
  });
}

/** What every target's outputs name, each in the target's own form. */
function commonOutputs(names: TargetNames) {
  const service = serviceOutputSchema(names);
  return {
    /** Environment name from the config. */
    environment: sharedNames.environment,
    region: names.region,
    clusterName: names.clusterName,
    clusterArn: names.clusterArn,
    /** One entry per service: frontend, api, proxy. */
    services: z.strictObject({ frontend: service, api: service, proxy: service }),
    /** Auto Scaling group holding the instances (one, or instanceCount behind the load balancer). */
    asgName: names.asgName,
    /**
     * Elastic IP that follows the one instance. Absent for a fleet (instanceCount > 1): it has no
     * address of its own, only the load balancer's DNS name (`loadBalancerDnsName`), whose
     * addresses are AWS's to change.
     */
    publicIp: names.publicIp.optional(),
    /** URL users reach the platform at, through the proxy. */
    publicUrl: z.url().pipe(names.publicUrl),
    sshUser: sharedNames.sshUser,
    sshHost: names.sshHost,
    sshPort: z.number().int().min(1).max(65535),
    /** EFS file system id holding the ACME account and certificates (a volume name locally). */
    certificateVolume: names.certificateVolume,
    /** Image repositories, one per service. */
    repositoryUrls: z.strictObject({ frontend: names.repositoryUrl, api: names.repositoryUrl, proxy: names.repositoryUrl }),
    /**
     * The tag every service's image runs (the config's `imageTag`; `local` in the rehearsal), recorded
     * in each journal. Optional, so that outputs of a deployment from before it still load.
     */
    imageTag: sharedNames.imageTag.optional(),
  };
}

type AwsShape = z.infer<z.ZodObject<ReturnType<typeof commonOutputs>>>;

/**
 * One deployment's outputs agree with themselves: the cluster ARN is in `region` and names
 * `clusterName`, and the image repositories are in the cluster's account and region. Outputs that
 * disagree were edited or mixed from two deployments, and a fault must not guess which one is meant.
 */
function checkOneDeployment(outputs: AwsShape, ctx: z.RefinementCtx): void {
  const arn = ECS_CLUSTER_ARN.exec(outputs.clusterArn);
  if (arn === null) return;
  const [, , region, account, name] = arn;
  if (region !== outputs.region)
    ctx.addIssue({ code: 'custom', path: ['clusterArn'], message: `is in region ${region}, but region is ${outputs.region}` });
  if (name !== outputs.clusterName)
    ctx.addIssue({ code: 'custom', path: ['clusterArn'], message: `names cluster "${name}", but clusterName is "${outputs.clusterName}"` });
  for (const [service, url] of Object.entries(outputs.repositoryUrls)) {
    const repository = ECR_REPOSITORY_URL.exec(url);
    if (repository === null) continue;
    const [, repositoryAccount, repositoryRegion] = repository;
    if (repositoryAccount !== account)
      ctx.addIssue({
        code: 'custom',
        path: ['repositoryUrls', service],
        message: `is in account ${repositoryAccount}, but clusterArn is in account ${account}`,
      });
    else if (repositoryRegion !== outputs.region)
      ctx.addIssue({
        code: 'custom',
        path: ['repositoryUrls', service],
        message: `is in region ${repositoryRegion}, but region is ${outputs.region}`,
      });
  }
}

/** What the stack emits: ECS on EC2. */
export const awsOutputsSchema = z
  .strictObject({
    target: z.literal('aws'),
    ...commonOutputs(awsNames),
    /**
     * How host faults reach the instance: `ssm` (Run Command; the default deployment opens no port 22
     * and sets no key pair) or `ssh` (the config set `sshCidrs` or `sshKeyName`). Required, so that
     * outputs of a stack that predates it are refused rather than guessed at.
     */
    hostAccess: z.enum(['ssm', 'ssh']),
    /**
     * The network load balancer's DNS name in front of a fleet (instanceCount > 1), where `publicUrl`
     * points without a domain; absent with one instance (its Elastic IP is `publicIp`).
     */
    loadBalancerDnsName: awsNames.loadBalancerDnsName.optional(),
    /**
     * The managed policy granting what the chaos experiments call (stacks/chaos-operator.ts). AWS only: the
     * rehearsal has no IAM. Optional so that outputs of a deployment from before it still load.
     */
    chaosOperatorPolicyArn: awsNames.iamPolicyArn.optional(),
  })
  // Only once every field has its form: the parts compared are then known to exist.
  .superRefine(checkOneDeployment, { when: (payload) => payload.issues.length === 0 });

/** What the rehearsal writes: the same names for its single-node swarm, and the engine it runs on. */
export const localOutputsSchema = z.strictObject({
  target: z.literal('local'),
  ...commonOutputs(localNames),
  /** `DOCKER_HOST` of the engine the rehearsal runs on; absent: the docker CLI's default. */
  dockerHost: localNames.dockerHost.optional(),
  /**
   * The command (words, run on the host over SSH) restarting the engine the rehearsal started
   * itself, printing its pid and start time before and after (contract/runtime-restart.ts);
   * absent when the rehearsal runs on an engine it did not start, which it must not restart. On
   * AWS the runtime is systemd's docker.service, and the chaos adapter knows its command.
   */
  runtimeRestart: z.array(localNames.runtimeRestartWord).min(1).max(16).optional(),
  /**
   * The multi-node rehearsal's nodes (`rehearsal:up -- --nodes N`, N > 1): each swarm worker in its
   * own network namespace with its own engine, its address on the rehearsal's bridge and its
   * "zone" (node label `zone`). Absent: the single-node rehearsal.
   */
  nodes: z
    .array(
      z.strictObject({
        name: z.string().regex(/^node-[1-9]$/, 'a node name: node-1 .. node-9'),
        zone: z.string().regex(/^zone-[a-z]$/, 'a zone name: zone-<letter>'),
        address: z.ipv4(),
      }),
    )
    .min(1)
    .max(9)
    .optional(),
  /**
   * The command (words, run on the host over SSH like `runtimeRestart`) controlling the nodes:
   * `terminate <node>`, `cut-zone <zone>`, `restore-zone <zone>`, `status`, each printing one JSON
   * object on stdout (rehearsal/node-control.ts; read by chaos/adapters/swarm/node-control.ts). Present with `nodes`.
   */
  nodeControl: z.array(localNames.runtimeRestartWord).min(1).max(16).optional(),
});

/** Where the platform runs decides the rest: `aws` (ECS on EC2) or `local` (the single-node swarm rehearsal). */
export const platformOutputsSchema = z.discriminatedUnion('target', [awsOutputsSchema, localOutputsSchema]);

/** Every output of a deployed platform, parsed and validated. */
export type PlatformOutputs = z.infer<typeof platformOutputsSchema>;
/** The outputs describing one service. */
export type ServiceOutputs = PlatformOutputs['services']['api'];

/** One copy of a service as the outputs name it. */
export type CopyOutputs = NonNullable<ServiceOutputs['copies']>[number];

/** Every copy of a service, copy 1 first; outputs from before copies: the service's own fields, as its one copy. */
export function copiesOf(service: ServiceOutputs): readonly CopyOutputs[] {
  return (
    service.copies ?? [
      { serviceName: service.serviceName, containerName: service.containerName, port: service.port, taskFamily: service.taskFamily },
    ]
  );
}

/** The outputs of an AWS deployment. */
export type AwsOutputs = z.infer<typeof awsOutputsSchema>;

/** The outputs of a local rehearsal. */
export type LocalOutputs = z.infer<typeof localOutputsSchema>;

/** Output ids the stack emits, in a stable order. */
export const OUTPUT_IDS = Object.keys(awsOutputsSchema.shape) as readonly (keyof AwsOutputs)[];
