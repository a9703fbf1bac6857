import { Construct } from 'constructs';
import { LocalBackend, S3Backend, S3BackendConfig, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { EnvironmentConfig, PlatformConfig } from './config';
import { PolicyAspect } from './policy/policy-aspect';
import { PLATFORM_SUPPRESSIONS } from './policy/suppressions';

/** The state object of an environment in its bucket: one key per environment. */
export function stateKey(keyPrefix: string, environment: string): string {
  return `${keyPrefix}/${environment}/terraform.tfstate`;
}

/**
 * The local state file of a stack without `stateBackend`: relative, so Terraform resolves it against
 * the stack folder it runs in (cdktf.out/stacks/<stack>/), and no machine's path is synthesized.
 */
export function localStatePath(stack: string): string {
  return `terraform.${stack}.tfstate`;
}

/**
 * cdktf 0.21's S3BackendConfig predates `use_lockfile` (Terraform 1.10); the backend writes its props
 * in snake case, so the field reaches the configuration as `use_lockfile`.
 */
type S3BackendWithLockfile = S3BackendConfig & { readonly useLockfile: boolean };

/**
 * Where the stack's state lives: the environment's S3 object, locked by an S3 lock file beside it
 * (`<key>.tflock`, no DynamoDB table), or a local file in the stack folder.
 */
export function configureStateBackend(stack: TerraformStack, env: EnvironmentConfig): void {
  if (!env.stateBackend) {
    new LocalBackend(stack, { path: localStatePath(stack.node.id) });
    return;
  }
  const config: S3BackendWithLockfile = {
    bucket: env.stateBackend.bucket,
    key: stateKey(env.stateBackend.keyPrefix, env.name),
    region: env.stateBackend.region ?? env.region,
    encrypt: true,
    useLockfile: true,
  };
  new S3Backend(stack, config);
}

/** One state bucket and the region it lives in. */
export interface StateBucket {
  readonly bucket: string;
  readonly region: string;
}

/** The distinct state buckets the environments name, in config order (the config keeps them in one region). */
export function stateBuckets(config: PlatformConfig): StateBucket[] {
  const buckets = new Map<string, StateBucket>();
  for (const env of config.environments) {
    if (env.stateBackend && !buckets.has(env.stateBackend.bucket)) {
      buckets.set(env.stateBackend.bucket, { bucket: env.stateBackend.bucket, region: env.stateBackend.region ?? env.region });
    }
  }
  return [...buckets.values()];
}

/** A resource id from a bucket name (dots are not allowed in Terraform names). */
const idOf = (bucket: string) => bucket.replace(/\./g, '-');

/**
 * The state buckets: versioned (every state ever written can be restored), encrypted (SSE-S3),
 * public access blocked, ACLs off (bucket owner enforced), a policy refusing every request not over
 * TLS, and `prevent_destroy`. Its own state is local, in its stack folder: the bucket it would live
 * in does not exist before this stack is applied (README "Deploy").
 */
export class StateBootstrapStack extends TerraformStack {
  readonly buckets: Record<string, S3Bucket> = {};

  constructor(scope: Construct, id: string, buckets: readonly StateBucket[]) {
    super(scope, id);
    PolicyAspect.enforce(this, { suppressions: PLATFORM_SUPPRESSIONS });
    new LocalBackend(this, { path: localStatePath(id) });
    if (buckets.length === 0) throw new Error(`${id}: no state bucket to create`);
    // The config keeps every state bucket in one region: one provider, no aliases (the offline
    // plan's provider override, like a reader, sees one provider block).
    new AwsProvider(this, 'aws', {
      region: buckets[0].region,
      defaultTags: [{ tags: { 'platform:purpose': 'terraform-state', 'managed-by': 'cdktf' } }],
    });
    for (const { bucket } of buckets) {
      const id = idOf(bucket);
      const b = new S3Bucket(this, id, { bucket, lifecycle: { preventDestroy: true } });
      this.buckets[bucket] = b;
      new S3BucketVersioningA(this, `${id}-versioning`, {
        bucket: b.id,
        versioningConfiguration: { status: 'Enabled' },
      });
      new S3BucketServerSideEncryptionConfigurationA(this, `${id}-encryption`, {
        bucket: b.id,
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
      });
      const publicAccess = new S3BucketPublicAccessBlock(this, `${id}-public-access`, {
        bucket: b.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      new S3BucketOwnershipControls(this, `${id}-ownership`, {
        bucket: b.id,
        rule: { objectOwnership: 'BucketOwnerEnforced' },
      });
      new S3BucketPolicy(this, `${id}-tls-only`, {
        bucket: b.id,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyInsecureTransport',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [b.arn, `${b.arn}/*`],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        }),
        // A bucket policy put while the public access block is being written can be refused.
        dependsOn: [publicAccess],
      });
    }
  }
}
