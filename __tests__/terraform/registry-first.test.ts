import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../stacks/config';
import { buildApp } from '../../stacks/app';
import { OfflineTerraform, terraform, writeOfflineOverride } from '../../review/terraform';
import { describeWithTerraform, offlineTerraformForTests } from './support/offline-terraform';

// The first deploy's step 2 (README "Deploy"): the ECR repositories alone, by -target. The targets are
// computed by the jq program of the deploy workflow's registry-only step, and the offline plan shows
// what that apply would create: the repositories and their lifecycle policies, nothing else.
const root = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'platform-registry-'));

const tf = offlineTerraformForTests(work);

type Step = { name?: string; run?: string };
const workflow = parse(readFileSync(join(root, '.github/workflows/deploy.yml'), 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
const step = workflow.jobs['deploy-dev'].steps.find((s) => s.name === 'ECR repositories only (first deploy)');
const program = /jq -r '([^']+)'/.exec(step?.run ?? '')?.[1];

describeWithTerraform(tf)('ECR repositories before images: the registry-only targets, planned offline', () => {
  it('finds the jq program in the workflow', () => expect(program).toMatch(/aws_ecr_/));

  it('plans to create the three repositories and their lifecycle policies, and nothing else', async () => {
    const t = tf as OfflineTerraform;
    buildApp(loadConfig(join(root, 'config/environments.json')), { outdir: work }).app.synth();
    const dir = join(work, 'stacks', 'dev');
    const targets = execFileSync('jq', ['-r', program ?? '.', join(dir, 'cdk.tf.json')], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(targets).toHaveLength(6);
    writeOfflineOverride(dir);
    await terraform(t, dir, ['init', '-input=false', '-no-color']);
    await terraform(t, dir, ['plan', '-input=false', '-lock=false', '-no-color', '-out=plan.bin', ...targets]);
    const plan = JSON.parse(await terraform(t, dir, ['show', '-json', 'plan.bin'])) as {
      resource_changes: { type: string; mode: string; change: { actions: string[] } }[];
    };
    const managed = plan.resource_changes.filter((rc) => rc.mode === 'managed');
    expect(managed.map((rc) => `${rc.type}:${rc.change.actions.join()}`).sort()).toEqual([
      'aws_ecr_lifecycle_policy:create',
      'aws_ecr_lifecycle_policy:create',
      'aws_ecr_lifecycle_policy:create',
      'aws_ecr_repository:create',
      'aws_ecr_repository:create',
      'aws_ecr_repository:create',
    ]);
  });
});
