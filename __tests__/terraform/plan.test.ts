import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../stacks/config';
import { buildApp } from '../../stacks/app';
import { OfflineTerraform, terraform, writeOfflineOverride } from '../../review/terraform';
import { describeWithTerraform, offlineTerraformForTests } from './support/offline-terraform';

const exec = promisify(execFile);
const root = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'platform-tf-'));

/** Every resource type the default stack must plan to create. */
const EXPECTED_TYPES = [
  'aws_autoscaling_group',
  'aws_cloudwatch_log_group',
  'aws_default_security_group',
  'aws_ecr_lifecycle_policy',
  'aws_ecr_repository',
  'aws_ecs_capacity_provider',
  'aws_ecs_cluster',
  'aws_ecs_cluster_capacity_providers',
  'aws_ecs_service',
  'aws_ecs_task_definition',
  'aws_efs_access_point',
  'aws_efs_backup_policy',
  'aws_efs_file_system',
  'aws_efs_mount_target',
  'aws_eip',
  'aws_iam_instance_profile',
  'aws_iam_policy',
  'aws_iam_role',
  'aws_iam_role_policy',
  'aws_iam_role_policy_attachment',
  'aws_internet_gateway',
  'aws_launch_template',
  'aws_route',
  'aws_route_table',
  'aws_route_table_association',
  'aws_security_group',
  'aws_subnet',
  'aws_vpc',
  'aws_vpc_security_group_egress_rule',
  'aws_vpc_security_group_ingress_rule',
];

const tf = offlineTerraformForTests(work);

const stackNames = loadConfig('config/environments.json').environments.map((e) => e.name);

interface PlanSummary {
  readonly creates: Record<string, number>;
  readonly otherActions: string[];
}

async function initValidatePlan(t: OfflineTerraform, dir: string): Promise<PlanSummary> {
  writeOfflineOverride(dir);
  await terraform(t, dir, ['init', '-input=false', '-no-color']);
  const validate = JSON.parse(await terraform(t, dir, ['validate', '-json', '-no-color'])) as { valid: boolean; error_count: number };
  expect(validate).toMatchObject({ valid: true, error_count: 0 });
  await terraform(t, dir, ['plan', '-input=false', '-lock=false', '-no-color', '-out=plan.bin']);
  const plan = JSON.parse(await terraform(t, dir, ['show', '-json', 'plan.bin'])) as {
    resource_changes: { type: string; mode: string; change: { actions: string[] } }[];
  };
  const creates: Record<string, number> = {};
  const otherActions: string[] = [];
  for (const rc of plan.resource_changes) {
    if (rc.mode !== 'managed') continue;
    if (rc.change.actions.join() === 'create') creates[rc.type] = (creates[rc.type] ?? 0) + 1;
    else otherActions.push(`${rc.type}: ${rc.change.actions.join()}`);
  }
  return { creates, otherActions };
}

/** Runs the jobs two at a time: the machine has two cores and each plan keeps one busy. */
async function pairwise<T>(jobs: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < jobs.length; i += 2) results.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => j()))));
  return results;
}

// Without Terraform the suite is not registered; the failing test above says why.
const suite = describeWithTerraform(tf);

suite('real Terraform, offline, against the synthesized stacks', () => {
  const t = tf as OfflineTerraform;
  const jsonOut = join(work, 'json');
  const hclOut = join(work, 'hcl');
  const summaries = new Map<string, PlanSummary>();

  /** `cdktf synth` as a user runs it, through cdktf.json's app command. */
  const cliSynth = (outdir: string, ...args: string[]) =>
    exec(process.execPath, [join(root, 'node_modules/cdktf-cli/bundle/bin/cdktf'), 'synth', ...args, '--output', outdir], {
      cwd: root,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    });

  beforeAll(async () => {
    // Each folder is synthesized in the other form first: what a synth leaves behind must not reach
    // Terraform (a cdk.tf beside a cdk.tf.json declares the backend twice and init fails).
    await cliSynth(jsonOut, '--hcl');
    buildApp(loadConfig('config/environments.json'), { outdir: jsonOut }).app.synth();
    buildApp(loadConfig('config/environments.json'), { outdir: hclOut }).app.synth();
    await cliSynth(hclOut, '--hcl');
    const jobs = (['json', 'hcl'] as const).flatMap((form) =>
      stackNames.map((stack) => async () => {
        const dir = join(form === 'json' ? jsonOut : hclOut, 'stacks', stack);
        summaries.set(`${form}/${stack}`, await initValidatePlan(t, dir));
      }),
    );
    await pairwise(jobs);
  });

  it('synthesizes one stack per environment in both forms', () => {
    expect(readdirSync(join(jsonOut, 'stacks')).sort()).toEqual([...stackNames].sort());
    expect(readdirSync(join(hclOut, 'stacks')).sort()).toEqual([...stackNames].sort());
    expect(readdirSync(join(hclOut, 'stacks', stackNames[0]))).toContain('cdk.tf');
  });

  it('leaves only the form synthesized last in each folder, after a synth of the other form', () => {
    for (const stack of stackNames) {
      expect(readdirSync(join(jsonOut, 'stacks', stack)).filter((f) => /^cdk\.tf/.test(f))).toEqual(['cdk.tf.json']);
      expect(readdirSync(join(hclOut, 'stacks', stack)).filter((f) => /^cdk\.tf/.test(f))).toEqual(['cdk.tf']);
    }
  });

  it.each(
    stackNames.flatMap((s) => [
      ['json', s],
      ['hcl', s],
    ]),
  )('%s synth of %s: validates and plans only creations of the expected types', (form, stack) => {
    const summary = summaries.get(`${form}/${stack}`);
    expect(summary).toBeDefined();
    expect(summary?.otherActions).toEqual([]);
    expect(Object.keys(summary?.creates ?? {}).sort()).toEqual(EXPECTED_TYPES);
    // Two copies each of the api and the frontend, one proxy: five ECS services and task definitions.
    expect(summary?.creates).toMatchObject({ aws_ecs_service: 5, aws_ecs_task_definition: 5, aws_ecr_repository: 3, aws_subnet: 2 });
  });

  it('plans the same resources from the JSON and the HCL synth', () => {
    for (const stack of stackNames) {
      expect(summaries.get(`hcl/${stack}`)?.creates).toEqual(summaries.get(`json/${stack}`)?.creates);
    }
  });
});
