import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../contract/services';

/** Let's Encrypt's staging directory: the default, so that tests and new environments never burn rate limits. */
export const LETS_ENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';

/** Retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The default config file, relative to the project root; `PLATFORM_CONFIG` selects another. */
export const DEFAULT_CONFIG_FILE = 'config/environments.json';

/** An error in the platform config: one line naming the file, the field, the bad value and what is allowed. */
export class InvalidConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidConfigError';
  }
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses an IPv4 CIDR block; undefined when malformed or when host bits are set. */
export function parseCidr(value: string): { readonly base: number; readonly prefix: number } | undefined {
  const m = IPV4_CIDR.exec(value);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) return undefined;
  return { base, prefix };
}

const cidr = (allowed: string, minPrefix = 0, maxPrefix = 32) =>
  z.string().refine(
    (v) => {
      const c = parseCidr(v);
      return c !== undefined && c.prefix >= minPrefix && c.prefix <= maxPrefix;
    },
    { message: allowed },
  );

const memoryMiB = z
  .number()
  .int()
  .min(32, { message: 'expected a whole number of MiB between 32 and 4096' })
  .max(4096, { message: 'expected a whole number of MiB between 32 and 4096' })
  .optional()
  .describe("The container's hard memory limit in MiB (32-4096); default: frontend 64, api 128, proxy 128");

/** A service's settings; `copies` is bounded by its fixed host ports (contract/services.ts, copyPorts). */
const serviceConfig = (service: ServiceName) => {
  const ports = SERVICES[service].copyPorts;
  return z.strictObject({
    desiredCount: z
      .number()
      .int()
      .min(0)
      .max(1, {
        message: 'expected 0 or 1: each copy is an ECS service of one task on its own fixed host port; set "copies" for more',
      })
      .default(1)
      .describe('Whether the service runs: 0 (stopped) or 1 (running, with its copies)'),
    copies: z
      .number()
      .int()
      .min(1, { message: `expected a whole number of copies from 1 to ${ports.length}` })
      .max(ports.length, {
        message:
          ports.length === 1
            ? `expected 1: the ${service} owns the instance's ports ${ports.join(', ')}${service === 'proxy' ? ' and 443' : ''}, so a second copy cannot bind them`
            : `expected 1 to ${ports.length}: each copy needs its own fixed host port, and the ${service} has ${ports.join(', ')}`,
      })
      .default(SERVICES[service].defaultCopies)
      .describe(
        `How many copies of the ${service} run side by side, each an ECS service on its own fixed host port (1-${ports.length}; default ${SERVICES[service].defaultCopies})`,
      ),
    memoryMiB,
  });
};

/** A service's settings as the config leaves them, every default in. */
const serviceDefaults = (service: ServiceName) => ({ desiredCount: 1, copies: SERVICES[service].defaultCopies });

/**
 * Memory (MiB) the ECS agent registers for the tasks of an instance type: the type's memory less
 * what the kernel, the agent and Docker keep (about 7 % and at least 150 MiB; a t3.small registers
 * 1,904 of its 2,048). Types not listed are not checked.
 */
export const INSTANCE_TASK_MEMORY_MIB: Readonly<Record<string, number>> = {
  't3.micro': 944,
  't3.small': 1904,
  't3.medium': 3828,
  't3a.micro': 944,
  't3a.small': 1904,
  't3a.medium': 3828,
  't4g.micro': 944,
  't4g.small': 1904,
  't4g.medium': 3828,
};

/** The memory every task of the environment reserves together: each service's limit times its copies (when running). */
export function taskMemoryMiB(
  services: Readonly<Record<ServiceName, { desiredCount: number; copies: number; memoryMiB?: number | undefined }>>,
): number {
  return SERVICE_NAMES.reduce((sum, s) => {
    const config = services[s];
    return sum + config.desiredCount * config.copies * (config.memoryMiB ?? SERVICES[s].defaultMemoryMiB);
  }, 0);
}

const hostname = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The largest fleet the config allows: every instance holds every task, so more buys zones, not capacity. */
export const MAX_INSTANCE_COUNT = 6;

/** The name of the stack that creates the state buckets; no environment may take it. */
export const STATE_BOOTSTRAP_STACK = 'state-bootstrap';

/** S3 bucket names: 3-63 of lower-case letters, digits, "." and "-", starting and ending with a letter or digit. */
const S3_BUCKET = /^(?!xn--)(?!.*\.\.)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const REGION_MESSAGE = 'expected an AWS region code such as "eu-west-1"';

/** Where an environment's Terraform state lives: an S3 object, locked with an S3 lock file. */
const stateBackendSchema = z
  .strictObject({
    bucket: z
      .string()
      .regex(S3_BUCKET, {
        message: 'expected an S3 bucket name: 3-63 lower-case letters, digits, "." and "-", starting and ending with a letter or digit',
      })
      .describe(`The S3 bucket holding the state; the "${STATE_BOOTSTRAP_STACK}" stack creates it (deploy that stack first)`),
    region: z
      .string()
      .regex(REGION, { message: REGION_MESSAGE })
      .optional()
      .describe(
        "The bucket's region; default: the environment's region. Every state bucket is in one region (the state-bootstrap stack's)",
      ),
    keyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/, {
        message: 'expected an S3 key prefix without leading or trailing "/", such as "platform" or "teams/platform"',
      })
      .default('platform')
      .describe('The start of the state object key: <keyPrefix>/<environment>/terraform.tfstate'),
  })
  .describe(
    'Remote state: an S3 backend with S3-native locking (use_lockfile, Terraform >= 1.10, no DynamoDB table). ' +
      'Without it the state is a local file in the stack folder (cdktf.out/stacks/<environment>/terraform.<environment>.tfstate)',
  );

/** One environment of the platform: one stack. */
export const environmentSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,19}$/, {
        message: 'expected 2-20 characters: lower-case letters, digits and "-", starting with a letter (e.g. "dev")',
      })
      .refine((v) => v !== STATE_BOOTSTRAP_STACK, {
        message: `expected a name other than "${STATE_BOOTSTRAP_STACK}": that stack creates the state buckets`,
      })
      .describe('The environment and its stack (cdktf.out/stacks/<name>); unique; names every resource (platform-<name>-...)'),
    region: z.string().regex(REGION, { message: REGION_MESSAGE }).describe('The AWS region the environment is deployed to'),
    allowedAccountIds: z
      .array(z.string().regex(/^\d{12}$/, { message: 'expected a 12-digit AWS account id such as "123456789012"' }), {
        message: 'expected a list of 12-digit AWS account ids',
      })
      .min(1, { message: 'expected at least one account id; leave the field out to allow any account' })
      .optional()
      .describe(
        "The AWS accounts this environment may be deployed to (the provider's allowed_account_ids): Terraform stops before any change when the credentials are of another account",
      ),
    stateBackend: stateBackendSchema.optional(),
    availabilityZones: z
      .tuple([z.string(), z.string()], { message: 'expected exactly two availability zone names' })
      .optional()
      .describe('The two availability zones of the subnets; default: the region\'s "a" and "b" zones'),
    vpcCidr: cidr('expected an IPv4 CIDR block with a prefix from /16 to /24, e.g. "10.0.0.0/16"', 16, 24)
      .default('10.40.0.0/16')
      .describe("The VPC's IPv4 CIDR block (/16 to /24); the two subnets are its first two blocks of prefix+4"),
    instanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: 'expected an EC2 instance type such as "t3.small"' })
      .default('t3.small')
      .describe('The EC2 instance type of the container instances (each holds every task)'),
    instanceCount: z
      .number({ message: `expected a whole number of instances from 1 to ${MAX_INSTANCE_COUNT}` })
      .int({ message: `expected a whole number of instances from 1 to ${MAX_INSTANCE_COUNT}` })
      .min(1, { message: `expected a whole number of instances from 1 to ${MAX_INSTANCE_COUNT}` })
      .max(MAX_INSTANCE_COUNT, {
        message: `expected at most ${MAX_INSTANCE_COUNT}: every instance runs the proxy and every copy, and the balancer's cost table stops there`,
      })
      .default(1)
      .describe(
        `How many container instances (1-${MAX_INSTANCE_COUNT}). 1: one instance behind its Elastic IP (the cheapest shape). ` +
          'More: the group spreads them over both zones behind a network load balancer (TCP 80/443), and every instance runs the proxy and every copy (ECS DAEMON services)',
      ),
    rootVolumeGiB: z
      .number()
      .int()
      .min(30, { message: 'expected at least 30 GiB: the ECS-optimized Amazon Linux 2023 AMI snapshot is 30 GiB' })
      .max(1024, { message: 'expected at most 1024 GiB' })
      .default(30)
      .describe("The instance's encrypted root volume in GiB (30-1024; the AMI's snapshot is 30 GiB)"),
    sshCidrs: z
      .array(cidr('expected an IPv4 CIDR block such as "203.0.113.7/32"'))
      .default([])
      .describe('IPv4 CIDR blocks allowed to reach port 22; empty: no SSH rule (Session Manager is the way in)'),
    sshKeyName: z
      .string()
      .min(1, { message: 'expected the name of an EC2 key pair' })
      .optional()
      .describe('An EC2 key pair for SSH to the instance; default: none (Session Manager)'),
    domain: z
      .string()
      .regex(hostname, { message: 'expected a lower-case DNS name such as "app.example.com"' })
      .optional()
      .describe(
        "The DNS name served over HTTPS with an ACME certificate (needs acmeEmail); default: plain HTTP on the Elastic IP (the load balancer's DNS name with instanceCount > 1)",
      ),
    hostedZoneId: z
      .string()
      .regex(/^Z[A-Z0-9]{4,31}$/, { message: 'expected a Route 53 hosted zone id such as "Z0123456789ABC"' })
      .optional()
      .describe(
        'A Route 53 hosted zone in which an A record for domain points at the Elastic IP (an alias of the load balancer with instanceCount > 1; needs domain)',
      ),
    acmeEmail: z
      .email({ message: 'expected an e-mail address for the ACME account' })
      .optional()
      .describe('The e-mail address of the ACME account (required with domain)'),
    acmeDirectory: z
      .url({ protocol: /^https$/, message: 'expected the https URL of an ACME directory' })
      .default(LETS_ENCRYPT_STAGING)
      .describe("The ACME directory URL; default: Let's Encrypt staging (use production only for production)"),
    imageTag: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, {
        message: 'expected a Docker tag: letters, digits, "_", "." and "-", at most 128 characters',
      })
      .default('latest')
      .describe('The image tag the services run (set it to the commit the release pushed)'),
    ecrKeepTaggedImages: z
      .number()
      .int()
      .min(1, { message: 'expected a whole number from 1 to 1000' })
      .max(1000, { message: 'expected a whole number from 1 to 1000' })
      .default(20)
      .describe('How many tagged images each ECR repository keeps (1-1000); older ones expire'),
    services: z
      .strictObject({
        frontend: serviceConfig('frontend').default(serviceDefaults('frontend')).describe('The frontend service (static site)'),
        api: serviceConfig('api').default(serviceDefaults('api')).describe('The API service (loopback only, behind the proxy)'),
        proxy: serviceConfig('proxy').default(serviceDefaults('proxy')).describe('The proxy service (ports 80 and 443, ACME certificates)'),
      })
      .default({ frontend: serviceDefaults('frontend'), api: serviceDefaults('api'), proxy: serviceDefaults('proxy') })
      .describe('Per-service settings of the three services'),
    logRetentionDays: z
      .number()
      .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
        message: `expected one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(30)
      .describe("How many days the services' CloudWatch log groups keep events (one of CloudWatch's periods)"),
    /**
     * IAM principals (account root, role or user ARNs) that may assume a `<prefix>-chaos-operator` role
     * carrying the chaos operator policy. Empty (the default): no role, attach the policy yourself.
     */
    chaosOperatorTrustedArns: z
      .array(
        z.string().regex(/^arn:aws(-[a-z]+){0,2}:iam::[0-9]{12}:(root|role\/[\w+=,.@/-]{1,512}|user\/[\w+=,.@/-]{1,512})$/, {
          message: 'expected an IAM principal ARN: arn:aws:iam::<12-digit account>:root, :role/<name> or :user/<name>',
        }),
      )
      .default([])
      .describe('IAM principals that may assume a <prefix>-chaos-operator role carrying the chaos operator policy; empty: no role'),
    tags: z
      .record(
        z.string().regex(/^(?!aws:)[\w .:/=+@-]{1,128}$/, {
          message: 'expected tag keys of 1-128 characters, not starting with "aws:"',
        }),
        z.string().max(256, { message: 'expected tag values of at most 256 characters' }),
      )
      .default({})
      .describe('Tags added to every resource (keys not starting with "aws:")'),
  })
  .superRefine((env, ctx) => {
    if (env.domain !== undefined && env.acmeEmail === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['acmeEmail'],
        input: undefined,
        message: `required when "domain" is set (${env.domain}): the ACME account needs an e-mail address`,
      });
    }
    if (env.hostedZoneId !== undefined && env.domain === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['hostedZoneId'],
        input: env.hostedZoneId,
        message: 'only allowed together with "domain": the record it would hold has no name',
      });
    }
    env.availabilityZones?.forEach((az, i) => {
      if (!new RegExp(`^${env.region}[a-z]$`).test(az)) {
        ctx.addIssue({
          code: 'custom',
          path: ['availabilityZones', i],
          input: az,
          message: `expected a zone of region ${env.region}, such as "${env.region}a"`,
        });
      }
    });
    if (env.instanceCount > 1) {
      for (const s of SERVICE_NAMES) {
        if (env.services[s].desiredCount === 0) {
          ctx.addIssue({
            code: 'custom',
            path: ['services', s, 'desiredCount'],
            input: 0,
            message: `expected 1 with instanceCount ${env.instanceCount}: every service is an ECS DAEMON (one task per instance), which cannot be stopped by a count; remove the service's copies or use instanceCount 1`,
          });
        }
      }
    }
    const available = INSTANCE_TASK_MEMORY_MIB[env.instanceType];
    const needed = taskMemoryMiB(env.services);
    if (available !== undefined && needed > available) {
      const parts = SERVICE_NAMES.map(
        (s) => `${s} ${env.services[s].copies} x ${env.services[s].memoryMiB ?? SERVICES[s].defaultMemoryMiB}`,
      ).join(', ');
      ctx.addIssue({
        code: 'custom',
        path: ['services'],
        input: env.services,
        message: `the tasks need ${needed} MiB (${parts}) but a ${env.instanceType} registers ${available} MiB for tasks: fewer copies, less memory or a larger instanceType`,
      });
    }
    if (env.availabilityZones && env.availabilityZones[0] === env.availabilityZones[1]) {
      ctx.addIssue({
        code: 'custom',
        path: ['availabilityZones'],
        input: env.availabilityZones,
        message: 'expected two different zones: the Auto Scaling group spreads over both',
      });
    }
  });

export const platformConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe('The JSON Schema of this file, for editors ("./environments.schema.json")'),
    environments: z
      .array(environmentSchema.describe('One environment: one stack, named after it'))
      .min(1, { message: 'expected at least one environment' })
      .describe('The environments, each synthesized as one stack'),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.environments.forEach((env, i) => {
      if (seen.has(env.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', i, 'name'],
          input: env.name,
          message: 'expected a unique environment name: each environment becomes one stack',
        });
      }
      seen.add(env.name);
    });
    // The state-bootstrap stack creates every state bucket through one provider, so in one region
    // (an environment elsewhere still keeps its state there: the backend names the bucket's region).
    let first: { region: string; index: number } | undefined;
    cfg.environments.forEach((env, i) => {
      if (!env.stateBackend) return;
      const region = env.stateBackend.region ?? env.region;
      if (!first) first = { region, index: i };
      else if (first.region !== region) {
        ctx.addIssue({
          code: 'custom',
          path: ['environments', i, 'stateBackend', 'region'],
          input: env.stateBackend.region,
          message: `expected ${first.region} (set stateBackend.region): the state buckets are all in one region, that of environments[${first.index}]'s bucket`,
        });
      }
    });
  })
  .describe('The platform config: the environments to synthesize');

/** One environment's settings, with every default filled in. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
/** What a config file may contain (defaults optional). */
export type EnvironmentConfigInput = z.input<typeof environmentSchema>;
/** A whole config file, validated. */
export type PlatformConfig = z.output<typeof platformConfigSchema>;

/** The two availability zones an environment uses: the configured ones, or the region's "a" and "b". */
export function availabilityZonesOf(env: EnvironmentConfig): readonly [string, string] {
  return env.availabilityZones ?? [`${env.region}a`, `${env.region}b`];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}

function describeValue(input: unknown): string {
  if (input === undefined) return 'nothing';
  const json = JSON.stringify(input);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function lookup(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/**
 * Validates a parsed config document. Throws InvalidConfigError with one line per problem, each naming
 * the source, the field's path, the bad value and what is allowed.
 */
export function parseConfig(document: unknown, source = DEFAULT_CONFIG_FILE): PlatformConfig {
  const result = platformConfigSchema.safeParse(document);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const field = formatPath(issue.path) || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return `${source}: ${field}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; check the spelling against the config reference in README.md`;
    }
    if (issue.code === 'invalid_key') {
      const key = String(issue.path[issue.path.length - 1]);
      return `${source}: ${field}: got ${describeValue(key)}: ${issue.issues[0]?.message ?? 'invalid key'}`;
    }
    const value = describeValue(lookup(document, issue.path));
    return `${source}: ${field}: got ${value}: ${issue.message}`;
  });
  throw new InvalidConfigError(lines.join('\n'));
}

/** Reads and validates the config file named by `PLATFORM_CONFIG`, or the default file. */
export function loadConfig(file = process.env.PLATFORM_CONFIG || DEFAULT_CONFIG_FILE): PlatformConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InvalidConfigError(
      `${file}: cannot read the platform config (${reason}); create it or set PLATFORM_CONFIG to an existing file`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new InvalidConfigError(`${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseConfig(document, file);
}
