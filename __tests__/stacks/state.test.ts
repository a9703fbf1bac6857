import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildApp } from '../../stacks/app';
import { EnvironmentConfigInput, loadConfig, parseConfig } from '../../stacks/config';

const root = resolve(__dirname, '../..');

/** Two environments sharing one bucket (one with its own prefix and an account guard), a third from another region with its own bucket. */
const REMOTE: EnvironmentConfigInput[] = [
  {
    name: 'dev',
    region: 'eu-west-1',
    allowedAccountIds: ['111111111111'],
    stateBackend: { bucket: 'acme-platform-state', keyPrefix: 'teams/platform' },
  },
  {
    name: 'prod',
    region: 'eu-west-1',
    allowedAccountIds: ['222222222222', '333333333333'],
    stateBackend: { bucket: 'acme-platform-state' },
  },
  // An environment in another region keeps its state in a bucket of the state region.
  { name: 'us', region: 'us-east-1', stateBackend: { bucket: 'acme.state.us', region: 'eu-west-1' } },
];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Synthesizes a config as `npm run synth` does, in the JSON form or (as `cdktf synth --hcl` asks) HCL. */
function synth(environments: EnvironmentConfigInput[], hcl = false): string {
  const outdir = mkdtempSync(join(tmpdir(), 'state-synth-'));
  const before = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = String(hcl);
  try {
    buildApp(parseConfig({ environments }, 'test-config.json'), { outdir }).app.synth();
  } finally {
    if (before === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = before;
  }
  return outdir;
}

const stackJson = (outdir: string, stack: string): Json => JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));

/** Every file under a folder, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('remote state: an S3 backend per environment', () => {
  const out = synth(REMOTE);

  it('keeps each environment under its own key, locked with an S3 lock file, no DynamoDB table', () => {
    expect(stackJson(out, 'dev').terraform.backend).toEqual({
      s3: {
        bucket: 'acme-platform-state',
        key: 'teams/platform/dev/terraform.tfstate',
        region: 'eu-west-1',
        encrypt: true,
        use_lockfile: true,
      },
    });
    expect(stackJson(out, 'prod').terraform.backend.s3).toMatchObject({ key: 'platform/prod/terraform.tfstate', use_lockfile: true });
    // The bucket's own region, not the environment's.
    expect(stackJson(out, 'us').terraform.backend.s3).toMatchObject({ bucket: 'acme.state.us', region: 'eu-west-1' });
    expect(stackJson(out, 'us').provider.aws[0].region).toBe('us-east-1');
    for (const stack of ['dev', 'prod', 'us']) {
      expect(Object.keys(stackJson(out, stack).terraform.backend)).toEqual(['s3']);
      expect(stackJson(out, stack).terraform.backend.s3).not.toHaveProperty('dynamodb_table');
    }
  });

  it('writes the same backend in the HCL form', () => {
    const hcl = readFileSync(join(synth(REMOTE, true), 'stacks', 'dev', 'cdk.tf'), 'utf8');
    expect(hcl).toMatch(/backend "s3" \{[^}]*use_lockfile\s*=\s*true/);
    expect(hcl).toMatch(/key\s*=\s*"teams\/platform\/dev\/terraform\.tfstate"/);
  });

  it("guards each environment's provider with its allowed accounts", () => {
    expect(stackJson(out, 'dev').provider.aws[0].allowed_account_ids).toEqual(['111111111111']);
    expect(stackJson(out, 'prod').provider.aws[0].allowed_account_ids).toEqual(['222222222222', '333333333333']);
    expect(stackJson(out, 'us').provider.aws[0]).not.toHaveProperty('allowed_account_ids');
  });
});

describe('the state-bootstrap stack', () => {
  const out = synth(REMOTE);
  const tf = stackJson(out, 'state-bootstrap');
  const res = (type: string): Json[] => Object.values(tf.resource[type] ?? {});

  it('is synthesized beside the environments, once, with one bucket per distinct name', () => {
    expect(readdirSync(join(out, 'stacks')).sort()).toEqual(['dev', 'prod', 'state-bootstrap', 'us']);
    expect(res('aws_s3_bucket').map((b) => b.bucket)).toEqual(['acme-platform-state', 'acme.state.us']);
  });

  it('keeps its own state locally in its stack folder (the bucket does not exist before it)', () => {
    expect(tf.terraform.backend).toEqual({ local: { path: 'terraform.state-bootstrap.tfstate' } });
  });

  it('creates every bucket in the state region, through one provider', () => {
    expect(tf.provider.aws.map((p: Json) => [p.region, p.alias])).toEqual([['eu-west-1', undefined]]);
  });

  it('makes each bucket versioned, encrypted, private, owner-enforced, TLS-only and protected from destroy', () => {
    for (const [i, bucket] of res('aws_s3_bucket').entries()) {
      const ref = `\${aws_s3_bucket.${['acme-platform-state', 'acme-state-us'][i]}`;
      const of = (type: string) => res(type).filter((r) => r.bucket === `${ref}.id}`);
      expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
      expect(of('aws_s3_bucket_versioning')).toEqual([expect.objectContaining({ versioning_configuration: { status: 'Enabled' } })]);
      expect(of('aws_s3_bucket_server_side_encryption_configuration')).toEqual([
        expect.objectContaining({
          rule: [expect.objectContaining({ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } })],
        }),
      ]);
      expect(of('aws_s3_bucket_public_access_block')).toEqual([
        expect.objectContaining({
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        }),
      ]);
      expect(of('aws_s3_bucket_ownership_controls')).toEqual([
        expect.objectContaining({ rule: { object_ownership: 'BucketOwnerEnforced' } }),
      ]);
      const [policy] = of('aws_s3_bucket_policy');
      expect(JSON.parse(policy.policy)).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [`${ref}.arn}`, `${ref}.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      });
    }
  });

  it('is not synthesized when no environment keeps its state in S3', () => {
    expect(readdirSync(join(synth([{ name: 'dev', region: 'eu-west-1' }]), 'stacks'))).toEqual(['dev']);
  });
});

describe('local state without stateBackend', () => {
  it('is a path relative to the stack folder, in both forms', () => {
    const env = [{ name: 'dev', region: 'eu-west-1' }];
    expect(stackJson(synth(env), 'dev').terraform.backend).toEqual({ local: { path: 'terraform.dev.tfstate' } });
    expect(readFileSync(join(synth(env, true), 'stacks', 'dev', 'cdk.tf'), 'utf8')).toMatch(
      /backend "local" \{\s*path\s*=\s*"terraform\.dev\.tfstate"\s*\}/,
    );
  });

  const shipped = loadConfig(join(root, 'config/environments.json')).environments as EnvironmentConfigInput[];
  it.each([
    ['the shipped config, JSON', shipped, false],
    ['the shipped config, HCL', shipped, true],
    ['a config with remote state, JSON', REMOTE, false],
    ['a config with remote state, HCL', REMOTE, true],
  ])("%s: no synthesized file holds the repository's or the output folder's absolute path", (_name, envs, hcl) => {
    const out = synth(envs, hcl);
    const synthesized = files(join(out, 'stacks'));
    expect(synthesized.length).toBeGreaterThanOrEqual(envs.length);
    for (const file of [...synthesized, join(out, 'manifest.json')]) {
      const text = readFileSync(file, 'utf8');
      expect({ file, hasRoot: text.includes(root) }).toEqual({ file, hasRoot: false });
      expect({ file, hasOutdir: text.includes(out) }).toEqual({ file, hasOutdir: false });
      expect({ file, hasCwd: text.includes(process.cwd()) }).toEqual({ file, hasCwd: false });
    }
  });
});
