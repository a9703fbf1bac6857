import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { validateWorkflow } from '@action-validator/core';

// Workflows cannot run here; they are checked against GitHub's workflow schema (schemastore, bundled in
// action-validator) and against the project: pinned actions, npm scripts that exist.
const dir = '.github/workflows';
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);

type Step = { uses?: string; run?: string };
type Workflow = { jobs: Record<string, { steps: Step[] }> };

describe('GitHub workflow validation', () => {
  it('finds the workflows', () => expect(files).toContain('plan-review.yml'));

  it('rejects a broken workflow (the validator works)', () => {
    expect(validateWorkflow('on: push\njobs:\n  a:\n    runs-onx: ubuntu-latest\n').errors.length).toBeGreaterThan(0);
  });

  it('gates pull requests on the review: --fail-on downtime,security,policy, comment posted either way', () => {
    const workflow = parse(readFileSync(join(dir, 'plan-review.yml'), 'utf8')) as Workflow;
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
    const review = steps.find((s) => /npm run review/.test(s.run ?? ''));
    expect(review?.run).toMatch(/--fail-on downtime,security,policy\b/);
    const post = steps.find((s) => s.uses?.startsWith('marocchino/sticky-pull-request-comment@')) as Step & { if?: string };
    expect(post.if).toMatch(/always\(\)/);
  });

  describe.each(files)('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const workflow = parse(text) as Workflow;
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps ?? []);

    it("matches GitHub's workflow schema", () => expect(validateWorkflow(text).errors).toEqual([]));

    it('pins every action to a full version or a commit', () => {
      const uses = steps.flatMap((s) => (s.uses ? [s.uses] : []));
      expect(uses.length).toBeGreaterThan(0);
      for (const u of uses) expect(u).toMatch(/@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/);
    });

    it('runs only npm scripts that exist', () => {
      const used = steps.flatMap((s) => [...(s.run ?? '').matchAll(/npm run (?:-s )?([\w:-]+)/g)].map((m) => m[1]));
      for (const script of used) expect(scripts).toContain(script);
    });
  });
});

// The deploy workflow's properties, as checks that return what is wrong, so each one is also shown
// to fail on a copy of the workflow with that property broken.
type DeployStep = {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};
type DeployJob = {
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean } | string;
  env?: Record<string, string>;
  steps: DeployStep[];
  'continue-on-error'?: unknown;
};
type DeployWorkflow = {
  on: Record<string, { workflows?: string[]; types?: string[]; branches?: string[] } | null>;
  permissions: Record<string, string>;
  concurrency?: unknown;
  jobs: Record<string, DeployJob>;
};

const needsOf = (job: DeployJob) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
const envName = (job: DeployJob) => (typeof job.environment === 'string' ? job.environment : job.environment?.name);
const deployCommand = (step: DeployStep) => /\bcdktf deploy\b/.test(step.run ?? '');
const chaosCommand = (step: DeployStep) => /npm run -s chaos -- run\b/.test(step.run ?? '');
const SHA_PINNED = /@[0-9a-f]{40}$/;
const ROLE_FROM_SETTINGS = /^\$\{\{\s*(vars|secrets)\.[A-Z0-9_]+\s*\}\}$/;

/** Every job that needs `name`, directly or through others. */
function dependsOn(w: DeployWorkflow, job: string, name: string): boolean {
  return needsOf(w.jobs[job]).some((n) => n === name || dependsOn(w, n, name));
}

function deployProblems(w: DeployWorkflow, shippedForDev: readonly string[]): string[] {
  const problems: string[] = [];
  const release = parse(readFileSync(join(dir, 'release-images.yml'), 'utf8')) as { name: string };
  const run = w.on.workflow_run;
  if (!run?.workflows?.includes(release.name) || !run.types?.includes('completed') || !run.branches?.includes('main'))
    problems.push(`trigger: not on:workflow_run of ${release.name} completed on main`);
  if (!w.on.push?.branches?.includes('main')) problems.push('trigger: not on:push to main');
  if (w.permissions['id-token'] !== 'write') problems.push('permissions: no id-token: write (OIDC)');
  for (const [k, v] of Object.entries(w.permissions)) if (v === 'write' && k !== 'id-token') problems.push(`permissions: ${k}: write`);
  if (w.concurrency !== undefined) problems.push('concurrency: workflow-wide, not per environment');

  const deployJobs = Object.entries(w.jobs).filter(([, j]) => j.steps.some(deployCommand));
  const environments = deployJobs.map(([, j]) => envName(j));
  for (const env of ['dev', 'prod']) if (!environments.includes(env)) problems.push(`environments: no deploy job in environment ${env}`);
  const groups = new Set<string>();
  for (const [name, job] of deployJobs) {
    const env = envName(job);
    if (!env) {
      problems.push(`${name}: no environment (protection rules)`);
      continue;
    }
    if (job.env?.ENVIRONMENT !== env) problems.push(`${name}: ENVIRONMENT is not its environment ${env}`);
    const c = job.concurrency;
    if (typeof c !== 'object' || !new RegExp(`(^|[-_])${env}($|[-_])`).test(c.group))
      problems.push(`${name}: no concurrency group for ${env}`);
    else {
      if (c['cancel-in-progress'] !== false) problems.push(`${name}: a deploy may be cancelled in progress`);
      if (groups.has(c.group)) problems.push(`${name}: concurrency group ${c.group} shared by two environments`);
      groups.add(c.group);
    }
    const index = (pred: (s: DeployStep) => boolean) => job.steps.findIndex(pred);
    const creds = job.steps.filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    if (creds.length === 0) problems.push(`${name}: no configure-aws-credentials`);
    for (const s of creds) {
      if (!SHA_PINNED.test(s.uses ?? '')) problems.push(`${name}: configure-aws-credentials not pinned by commit`);
      if (!ROLE_FROM_SETTINGS.test(String(s.with?.['role-to-assume'] ?? '')))
        problems.push(`${name}: role-to-assume not from a variable or secret`);
    }
    const deploy = job.steps.find(deployCommand)!;
    const outputs = /--outputs-file\s+"?([^"\s]+)"?/.exec(deploy.run ?? '')?.[1]?.replace('$ENVIRONMENT', env);
    if (!/--auto-approve/.test(deploy.run ?? '')) problems.push(`${name}: cdktf deploy without --auto-approve waits for input`);
    if (!/cdktf deploy "?\$ENVIRONMENT"?/.test(deploy.run ?? '')) problems.push(`${name}: cdktf deploy not of its environment`);
    if (!outputs) problems.push(`${name}: cdktf deploy writes no outputs file`);
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    const uploaded = String(upload?.with?.path ?? '').replace('${{ env.ENVIRONMENT }}', env);
    if (!upload || uploaded !== outputs || index((s) => s === upload) < index(deployCommand))
      problems.push(`${name}: the outputs file is not uploaded after the deploy`);
    if (index((s) => s.name === 'Refuse local state') < 0 || index((s) => s.name === 'Refuse local state') > index(deployCommand))
      problems.push(`${name}: no local-state guard before the deploy`);
    if (
      index((s) => /ensure-images\.sh/.test(s.run ?? '')) < 0 ||
      index((s) => /ensure-images\.sh/.test(s.run ?? '')) > index(deployCommand)
    )
      problems.push(`${name}: no image check before the deploy`);
  }

  const gates = Object.entries(w.jobs).filter(([, j]) => j.steps.some(chaosCommand));
  const dev = deployJobs.find(([, j]) => envName(j) === 'dev')?.[0];
  const prod = deployJobs.find(([, j]) => envName(j) === 'prod')?.[0];
  if (gates.length !== 1 || !dev) problems.push('chaos gate: not exactly one chaos job, or no dev deploy');
  else {
    const [gate, job] = gates[0];
    const step = job.steps.find(chaosCommand)!;
    if (!needsOf(job).includes(dev)) problems.push(`chaos gate: ${gate} does not need ${dev}`);
    if (!prod || !dependsOn(w, prod, gate)) problems.push(`chaos gate: prod is deployed without ${gate}`);
    if (!/--yes\b/.test(step.run ?? '') || !/--outputs outputs\/dev\.json\b/.test(step.run ?? ''))
      problems.push("chaos gate: the run is not confirmed (--yes) against dev's outputs");
    if (
      job['continue-on-error'] !== undefined ||
      (step as { 'continue-on-error'?: unknown })['continue-on-error'] !== undefined ||
      /\|\|\s*(true|:)/.test(step.run ?? '')
    )
      problems.push('chaos gate: a missed objective does not fail the workflow');
    const download = job.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
    const devUpload = w.jobs[dev].steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    if (
      !download ||
      String(download.with?.name) !== String(devUpload?.with?.name).replace('${{ env.ENVIRONMENT }}', 'dev') ||
      download.with?.path !== 'outputs'
    )
      problems.push("chaos gate: does not download dev's outputs artifact into outputs/");
    const listed = (job.env?.CHAOS_EXPERIMENTS ?? '').split(/\s+/).filter(Boolean);
    if (!(step.run ?? '').includes('$CHAOS_EXPERIMENTS')) problems.push('chaos gate: the run does not use CHAOS_EXPERIMENTS');
    if ([...listed].sort().join(' ') !== [...shippedForDev].sort().join(' '))
      problems.push(`chaos gate: runs ${listed.join(', ') || 'nothing'} instead of the shipped experiments for dev`);
  }
  return problems;
}

describe('deploy.yml: dev, the chaos gate, prod', () => {
  const text = readFileSync(join(dir, 'deploy.yml'), 'utf8');
  const workflow = parse(text) as DeployWorkflow;
  // The shipped experiments that apply to dev on AWS: all, except those that need the site's domain
  // over HTTPS (CHAOS_HTTPS_URL) while dev has no domain in the config.
  const devConfig = (
    JSON.parse(readFileSync('config/environments.json', 'utf8')) as { environments: { name: string; domain?: string }[] }
  ).environments.find((e) => e.name === 'dev');
  const shippedForDev = readdirSync('chaos/experiments')
    .filter((f) => /\.ya?ml$/.test(f))
    .filter((f) => devConfig?.domain || !readFileSync(join('chaos/experiments', f), 'utf8').includes('CHAOS_HTTPS_URL'))
    .map((f) => `chaos/experiments/${f}`);
  const broken = (edit: (w: DeployWorkflow) => void): DeployWorkflow => {
    const copy = parse(text) as DeployWorkflow;
    edit(copy);
    return copy;
  };

  it('has every property', () => expect(deployProblems(workflow, shippedForDev)).toEqual([]));

  it('leaves out only experiments that cannot run on dev (acme-outage: no domain)', () => {
    expect(shippedForDev.length).toBeGreaterThan(10);
    if (!devConfig?.domain) expect(shippedForDev).not.toContain('chaos/experiments/acme-outage.yaml');
  });

  it('pins every action by commit', () => {
    const uses = Object.values(workflow.jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
    for (const u of uses) expect(u).toMatch(SHA_PINNED);
  });

  it.each<[string, (w: DeployWorkflow) => void, RegExp]>([
    ['no workflow_run trigger', (w) => delete w.on.workflow_run, /trigger: not on:workflow_run/],
    ['no id-token permission', (w) => delete w.permissions['id-token'], /id-token/],
    ['prod without its environment', (w) => delete w.jobs['deploy-prod'].environment, /environment prod|deploy-prod: no environment/],
    [
      'a cancellable deploy',
      (w) => ((w.jobs['deploy-dev'].concurrency as { 'cancel-in-progress': boolean })['cancel-in-progress'] = true),
      /cancelled in progress/,
    ],
    [
      'one group for both',
      (w) => ((w.jobs['deploy-prod'].concurrency as { group: string }).group = 'deploy-dev'),
      /concurrency group .* shared|no concurrency group/,
    ],
    [
      'a role hard-coded',
      (w) =>
        (w.jobs['deploy-prod'].steps.find((s) => s.uses?.includes('configure-aws'))!.with!['role-to-assume'] = 'arn:aws:iam::1:role/x'),
      /role-to-assume/,
    ],
    [
      'a tag-pinned credentials action',
      (w) =>
        (w.jobs['deploy-dev'].steps.find((s) => s.uses?.includes('configure-aws'))!.uses = 'aws-actions/configure-aws-credentials@v4.2.1'),
      /pinned by commit/,
    ],
    [
      'no outputs file',
      (w) => {
        const s = w.jobs['deploy-dev'].steps.find(deployCommand)!;
        s.run = s.run!.replace(/--outputs-file \S+/, '');
      },
      /no outputs file/,
    ],
    [
      'no upload',
      (w) => (w.jobs['deploy-dev'].steps = w.jobs['deploy-dev'].steps.filter((s) => !s.uses?.startsWith('actions/upload-artifact@'))),
      /not uploaded/,
    ],
    ['prod not behind the gate', (w) => (w.jobs['deploy-prod'].needs = ['when', 'deploy-dev']), /prod is deployed without/],
    [
      'a gate that never fails',
      (w) => {
        const s = w.jobs['chaos-dev'].steps.find(chaosCommand)!;
        s.run += ' || true';
      },
      /does not fail/,
    ],
    [
      'a gate without --yes',
      (w) => {
        const s = w.jobs['chaos-dev'].steps.find(chaosCommand)!;
        s.run = s.run!.replace(' --yes', '');
      },
      /--yes/,
    ],
    [
      'an experiment dropped',
      (w) =>
        (w.jobs['chaos-dev'].env!.CHAOS_EXPERIMENTS = w.jobs['chaos-dev'].env!.CHAOS_EXPERIMENTS.replace(
          'chaos/experiments/terminate-instance.yaml',
          '',
        )),
      /instead of the shipped/,
    ],
    [
      'no local-state guard',
      (w) => (w.jobs['deploy-prod'].steps = w.jobs['deploy-prod'].steps.filter((s) => s.name !== 'Refuse local state')),
      /local-state guard/,
    ],
  ])('fails on a copy with %s', (_, edit, problem) =>
    expect(deployProblems(broken(edit), shippedForDev)).toContainEqual(expect.stringMatching(problem)),
  );

  describe('the local-state guard, run on synthesized stacks', () => {
    const guard = workflow.jobs['deploy-dev'].steps.find((s) => s.name === 'Refuse local state')!.run!;
    const script = /node -e '([\s\S]*)'/.exec(guard)![1];
    const attempt = (backend: Record<string, unknown>) => {
      const cwd = mkdtempSync(join(tmpdir(), 'deploy-guard-'));
      mkdirSync(join(cwd, 'cdktf.out/stacks/dev'), { recursive: true });
      writeFileSync(join(cwd, 'cdktf.out/stacks/dev/cdk.tf.json'), JSON.stringify({ terraform: { backend } }));
      return spawnSync(process.execPath, ['-e', script], { cwd, env: { ...process.env, ENVIRONMENT: 'dev' }, encoding: 'utf8' });
    };
    it('stops a stack with local state, naming the fix', () => {
      const r = attempt({ local: { path: 'terraform.dev.tfstate' } });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/stack dev has backend local: set stateBackend for dev/);
    });
    it('lets an S3 backend through', () => expect(attempt({ s3: { bucket: 'b', key: 'k', use_lockfile: true } }).status).toBe(0));
  });
});
