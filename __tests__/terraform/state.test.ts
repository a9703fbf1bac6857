import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../stacks/app';
import { EnvironmentConfigInput, loadConfig, parseConfig } from '../../stacks/config';
import { OfflineTerraform, TerraformCommandError, terraform, writeOfflineOverride } from '../../review/terraform';
import { baseState } from '../../review/what-if';
import { FakeS3 } from './fake-s3';
import { describeWithTerraform, offlineTerraformForTests } from './support/offline-terraform';

const work = mkdtempSync(join(tmpdir(), 'platform-state-tf-'));

const tf = offlineTerraformForTests(work);
const suite = describeWithTerraform(tf);

/** Environments in two regions with remote state in two buckets, one guarded by its account. */
const REMOTE: EnvironmentConfigInput[] = [
  { name: 'dev', region: 'eu-west-1', allowedAccountIds: ['111111111111'], stateBackend: { bucket: 'acme-platform-state' } },
  { name: 'us', region: 'us-east-1', stateBackend: { bucket: 'acme-platform-state-us', region: 'eu-west-1' } },
];

function synth(outdir: string, environments: readonly EnvironmentConfigInput[], hcl = false): string {
  const before = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = String(hcl);
  try {
    buildApp(parseConfig({ environments }, 'test-config.json'), { outdir }).app.synth();
  } finally {
    if (before === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = before;
  }
  return join(outdir, 'stacks');
}

interface Plan {
  readonly resource_changes: { address: string; type: string; mode: string; change: { actions: string[] } }[];
}

/** Plans into plan.bin and reads it; `-lock=false` unless the args ask for the lock (`-lock=true`). */
async function plan(t: OfflineTerraform, dir: string, args: string[] = []): Promise<Plan> {
  const lock = args.some((a) => a.startsWith('-lock=')) ? [] : ['-lock=false'];
  await terraform(t, dir, ['plan', '-input=false', ...lock, '-no-color', '-out=plan.bin', ...args]);
  return JSON.parse(await terraform(t, dir, ['show', '-json', 'plan.bin'])) as Plan;
}

const managed = (p: Plan) => p.resource_changes.filter((r) => r.mode === 'managed');
/** Resources whose planned action is not a no-op, as "actions address". */
const moving = (p: Plan) =>
  managed(p)
    .filter((r) => r.change.actions.join() !== 'no-op')
    .map((r) => `${r.change.actions.join()} ${r.address}`);

/** Only the offline provider settings (fake credentials, no AWS checks): the synthesized backend is what is tested. */
function writeProviderOverrideOnly(dir: string): void {
  writeOfflineOverride(dir);
  rmSync(join(dir, 'backend_override.tf.json'));
}

suite('remote state and the state-bootstrap stack, with real Terraform, offline', () => {
  const t = tf as OfflineTerraform;
  const stacks = synth(join(work, 'remote'), REMOTE);

  it('the bootstrap stack validates and plans only the state buckets', async () => {
    const dir = join(stacks, 'state-bootstrap');
    writeOfflineOverride(dir);
    await terraform(t, dir, ['init', '-input=false', '-no-color']);
    expect(JSON.parse(await terraform(t, dir, ['validate', '-json', '-no-color']))).toMatchObject({ valid: true, error_count: 0 });
    const p = await plan(t, dir);
    expect(managed(p).every((r) => r.change.actions.join() === 'create')).toBe(true);
    const perBucket = [
      'aws_s3_bucket',
      'aws_s3_bucket_ownership_controls',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_server_side_encryption_configuration',
      'aws_s3_bucket_versioning',
    ];
    expect(
      managed(p)
        .map((r) => r.type)
        .sort(),
    ).toEqual(perBucket.flatMap((type) => [type, type]));
  });

  it('allowedAccountIds reaches the provider: a plan whose credentials are of another account stops before any change', async () => {
    const dir = join(stacks, 'dev');
    writeOfflineOverride(dir);
    await terraform(t, dir, ['init', '-input=false', '-no-color', '-reconfigure']);
    // The offline override clears the guard (no account is asked for); without that line the provider
    // sees the empty account id, which is not among the allowed ones.
    const override = JSON.parse(readFileSync(join(dir, 'offline_override.tf.json'), 'utf8'));
    delete override.provider.aws.allowed_account_ids;
    writeFileSync(join(dir, 'offline_override.tf.json'), JSON.stringify(override));
    const refused = await plan(t, dir).then(
      () => 'planned',
      (err: unknown) => (err instanceof TerraformCommandError ? err.output : String(err)),
    );
    expect(refused).toMatch(/AWS account ID not allowed/);
    writeOfflineOverride(dir);
    expect(managed(await plan(t, dir)).length).toBeGreaterThan(40);
  });
});

suite('leaving cdktf: plain Terraform on the synthesized configuration, with the same state', () => {
  const t = tf as OfflineTerraform;
  const environments = loadConfig('config/environments.json').environments.filter((e) => e.name === 'dev') as EnvironmentConfigInput[];
  const jsonStacks = synth(join(work, 'json'), environments);
  const hclStacks = synth(join(work, 'hcl'), environments, true);
  const cdktfDir = join(jsonStacks, 'dev');
  let statePath = '';

  beforeAll(async () => {
    // The state cdktf deploy would have left: no AWS here, so a synthetic one (review/synthetic-state.ts),
    // whose own plan from the cdktf folder is checked empty below rather than trusted.
    const state = await baseState(t, cdktfDir);
    statePath = join(work, 'terraform.dev.tfstate');
    writeFileSync(statePath, JSON.stringify(state));
    // The cdktf folder against that state: no resource moves (checked, not trusted). Applying that
    // plan writes only the outputs into the state (a synthetic state has none) and calls no AWS API:
    // no resource has an action. The state is then what a deploy leaves.
    writeOfflineOverride(cdktfDir, statePath);
    await terraform(t, cdktfDir, ['init', '-input=false', '-no-color', '-reconfigure']);
    const p = await plan(t, cdktfDir, ['-refresh=false']);
    cdktfPlan = { resources: managed(p).length, moving: moving(p) };
    if (cdktfPlan.moving.length === 0) await terraform(t, cdktfDir, ['apply', '-input=false', '-lock=false', '-no-color', 'plan.bin']);
  });

  let cdktfPlan = { resources: 0, moving: ['not planned'] };

  it('the cdktf stack folder plans no resource change against the state', () => {
    expect(cdktfPlan.resources).toBeGreaterThan(40);
    expect(cdktfPlan.moving).toEqual([]);
    expect(Object.keys(JSON.parse(readFileSync(statePath, 'utf8')).outputs)).toContain('clusterName');
  });

  it.each([
    ['the JSON synth (cdk.tf.json)', 'json', 'cdk.tf.json'],
    ['the HCL synth (cdk.tf)', 'hcl', 'cdk.tf'],
  ])('%s copied to a folder of its own: terraform init and plan, no change and no replacement', async (_name, form, file) => {
    const dir = join(work, `plain-${form}`);
    mkdirSync(dir);
    copyFileSync(join(form === 'json' ? jsonStacks : hclStacks, 'dev', file), join(dir, file));
    writeOfflineOverride(dir, statePath);
    await terraform(t, dir, ['init', '-input=false', '-no-color']);
    // -detailed-exitcode: exit 2 (a rejection here) if anything would change.
    const p = await plan(t, dir, ['-refresh=false', '-detailed-exitcode']);
    expect(managed(p).length).toBeGreaterThan(40);
    expect(moving(p)).toEqual([]);
  });

  it('moves a state kept at the project root (what synth wrote before) into the stack folder with init -migrate-state', async () => {
    const dir = join(work, 'migrate');
    mkdirSync(dir);
    const synthesized = readFileSync(join(jsonStacks, 'dev', 'cdk.tf.json'), 'utf8');
    const old = JSON.parse(synthesized);
    const oldPath = join(work, 'project-root', 'terraform.dev.tfstate');
    mkdirSync(join(work, 'project-root'));
    copyFileSync(statePath, oldPath);
    old.terraform.backend.local.path = oldPath;
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(old));
    writeProviderOverrideOnly(dir);
    await terraform(t, dir, ['init', '-input=false', '-no-color']);
    // The new synth: a path relative to the stack folder.
    writeFileSync(join(dir, 'cdk.tf.json'), synthesized);
    await terraform(t, dir, ['init', '-input=false', '-no-color', '-migrate-state', '-force-copy']);
    expect(existsSync(join(dir, 'terraform.dev.tfstate'))).toBe(true);
    const p = await plan(t, dir, ['-refresh=false', '-detailed-exitcode']);
    expect(managed(p).length).toBeGreaterThan(40);
    expect(moving(p)).toEqual([]);
  });

  it('moves the local state into the S3 backend with init -migrate-state, and plans then lock it with an S3 lock file', async () => {
    const dir = join(work, 'to-s3');
    mkdirSync(dir);
    copyFileSync(join(jsonStacks, 'dev', 'cdk.tf.json'), join(dir, 'cdk.tf.json'));
    copyFileSync(statePath, join(dir, 'terraform.dev.tfstate'));
    writeProviderOverrideOnly(dir);
    await terraform(t, dir, ['init', '-input=false', '-no-color']);

    // The same environment with stateBackend: only the backend block differs.
    const remote = environments.map((e) => ({ ...e, stateBackend: { bucket: 'acme-platform-state' } }));
    const s3Stacks = synth(join(work, 's3'), remote);
    copyFileSync(join(s3Stacks, 'dev', 'cdk.tf.json'), join(dir, 'cdk.tf.json'));
    const s3 = new FakeS3('acme-platform-state');
    const endpoint = await s3.start();
    try {
      // Partial backend settings for this test only: the fake S3 on loopback and fake credentials.
      const settings = join(work, 'fake-s3.s3.tfbackend');
      writeFileSync(
        settings,
        [
          'access_key = "AKIAOFFLINEPLANONLY00"',
          'secret_key = "offline-plan-only"',
          'skip_credentials_validation = true',
          'skip_requesting_account_id = true',
          'skip_metadata_api_check = true',
          'skip_region_validation = true',
          'skip_s3_checksum = true',
          'use_path_style = true',
          `endpoints = { s3 = "${endpoint}", sts = "${endpoint}" }`,
          '',
        ].join('\n'),
      );
      await terraform(t, dir, ['init', '-input=false', '-no-color', '-migrate-state', '-force-copy', `-backend-config=${settings}`]);
      const key = 'platform/dev/terraform.tfstate';
      const local = JSON.parse(readFileSync(statePath, 'utf8'));
      const migrated = JSON.parse(s3.objects.get(key)?.toString() ?? '{}');
      // Terraform starts the copy with a lineage of its own; what it holds is the same.
      expect(migrated.resources).toEqual(local.resources);
      expect(migrated.outputs).toEqual(local.outputs);

      s3.requests.length = 0;
      const p = await plan(t, dir, ['-refresh=false', '-detailed-exitcode', '-lock=true']);
      expect(managed(p).length).toBeGreaterThan(40);
      expect(moving(p)).toEqual([]);
      // The lock: created only if absent, then removed; no DynamoDB anywhere.
      expect(s3.requests).toEqual(
        expect.arrayContaining([
          { method: 'PUT', key: `${key}.tflock`, ifNoneMatch: '*' },
          { method: 'DELETE', key: `${key}.tflock` },
        ]),
      );
      expect(s3.objects.has(`${key}.tflock`)).toBe(false);

      // Someone else holds the lock: the plan stops.
      s3.objects.set(`${key}.tflock`, Buffer.from(JSON.stringify({ ID: 'held', Operation: 'OperationTypeApply', Who: 'someone' })));
      const refused = await plan(t, dir, ['-refresh=false', '-lock=true']).then(
        () => 'planned',
        (err: unknown) => (err instanceof TerraformCommandError ? err.output : String(err)),
      );
      expect(refused).toMatch(/Error acquiring the state lock/);
    } finally {
      await s3.stop();
    }
  });
});
