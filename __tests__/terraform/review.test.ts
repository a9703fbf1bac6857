import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildApp } from '../../stacks/app';
import { EnvironmentConfigInput, parseConfig } from '../../stacks/config';
import { OfflineTerraform } from '../../review/terraform';
import { baseState, initOffline, planHead, whatIf } from '../../review/what-if';
import { reviewChanges } from '../../review/changes';
import { renderStackReview } from '../../review/markdown';
import { ReviewedChange } from '../../review/risk';
import { TerraformState } from '../../review/synthetic-state';
import { PlanJson } from '../../review/plan-json';
import { costDelta } from '../../review/cost';
import { gateFailures } from '../../review/gate';
import { main } from '../../review/cli';
import { baseWithDevInstanceType } from '../../review/scratch-commit';
import { describeWithTerraform, offlineTerraformForTests } from './support/offline-terraform';

const work = mkdtempSync(join(tmpdir(), 'review-test-'));
const tf = offlineTerraformForTests(work);

const BASE: EnvironmentConfigInput = { name: 'dev', region: 'eu-west-1' };

/** Synthesizes one environment (skipping synth-time policy: the review reports policy itself). */
function synth(name: string, env: Partial<EnvironmentConfigInput>): string {
  const outdir = join(work, name);
  buildApp(parseConfig({ environments: [{ ...BASE, ...env }] }), { outdir, skipPolicy: true }).app.synth();
  return join(outdir, 'stacks', 'dev');
}

const suite = describeWithTerraform(tf);

suite('plan review against a synthetic base state (real provider, offline)', () => {
  const t = tf as OfflineTerraform;
  let state: TerraformState;
  const reviews = new Map<string, ReviewedChange[]>();
  const plans = new Map<string, PlanJson>();
  const heads: Record<string, Partial<EnvironmentConfigInput>> = {
    'no-op': {},
    'instance-type': { instanceType: 't3.medium' },
    'vpc-cidr': { vpcCidr: '10.99.0.0/16' },
    'ssh-world': { sshCidrs: ['0.0.0.0/0'] },
  };

  beforeAll(async () => {
    const baseDir = synth('base', {});
    const headDirs = Object.entries(heads).map(([name, env]) => [name, synth(name, env)] as const);
    // Every init before any plan: an init relinks the shared plugin cache under a running plan.
    const statePaths: string[] = [];
    for (const [, dir] of headDirs) statePaths.push(await initOffline(t, dir));
    const s = await baseState(t, baseDir);
    state = s;
    for (const [i, [name, dir]] of headDirs.entries()) {
      const plan = await planHead(t, dir, statePaths[i], state);
      plans.set(name, plan);
      reviews.set(name, reviewChanges(plan));
    }
  });

  it('builds a base state the base itself plans as "no changes"', () => {
    expect(state.resources.length).toBeGreaterThan(40);
    expect(reviews.get('no-op')).toEqual([]);
    expect(renderStackReview({ stack: 'dev', mode: 'what-if', changes: [] }, 'main')).toContain('**No changes.**');
  });

  it('shows an instance type change as an in-place launch template update that moves the group and rolls the instance', () => {
    const changes = reviews.get('instance-type') ?? [];
    expect(changes.map((c) => [c.type, c.kind])).toEqual([
      ['aws_autoscaling_group', 'update'],
      ['aws_launch_template', 'update'],
    ]);
    const [group, template] = changes;
    expect(template.diffs).toContainEqual({ path: 'instance_type', before: 't3.small', after: 't3.medium', forcesReplacement: false });
    expect(template.diffs).toContainEqual({ path: 'latest_version', before: 1, after: '(known after apply)', forcesReplacement: false });
    // The group references the template's latest version, so the new version changes the group:
    // that change, with the instance refresh configured, is what starts the refresh.
    expect(group.diffs).toEqual([
      { path: 'launch_template.0.version', before: '1', after: '(known after apply)', forcesReplacement: false },
    ]);
    expect(group.flags).toEqual([
      expect.objectContaining({ kind: 'downtime', message: expect.stringMatching(/instance refresh replaces the only instance/) }),
    ]);
    expect(template.flags).toEqual([]);
    const md = renderStackReview({ stack: 'dev', mode: 'what-if', changes }, 'main');
    expect(md).toMatch(
      /🔴 downtime `aws_autoscaling_group\.\w+`: the group's launch template changes \(launch_template\.0\.version: 1 → \(known after apply\)\)/,
    );
  });

  it('prices t3.small → t3.medium at about +16.6 USD a month from the price table', () => {
    const cost = costDelta(plans.get('instance-type') as PlanJson, 'eu-west-1');
    expect(cost.lines.map((l) => l.address)).toEqual([expect.stringMatching(/^aws_launch_template\./)]);
    expect(cost.deltaUsd).toBeGreaterThan(16.5);
    expect(cost.deltaUsd).toBeLessThan(16.7);
    expect(cost.unknown).toBe(0);
    // The unchanged address and volume cost the same on both sides: no line, no delta.
    expect(costDelta(plans.get('no-op') as PlanJson, 'eu-west-1').lines).toEqual([]);
  });

  it('shows a VPC CIDR change as replacements flagged as downtime', () => {
    const changes = reviews.get('vpc-cidr') ?? [];
    const replaced = changes.filter((c) => c.kind === 'replace').map((c) => c.type);
    expect(replaced).toEqual(expect.arrayContaining(['aws_vpc', 'aws_subnet', 'aws_security_group', 'aws_efs_mount_target']));
    const vpc = changes.find((c) => c.type === 'aws_vpc');
    expect(vpc?.diffs).toContainEqual(expect.objectContaining({ path: 'cidr_block', after: '10.99.0.0/16', forcesReplacement: true }));
    expect(vpc?.flags).toContainEqual(expect.objectContaining({ kind: 'downtime' }));
    const md = renderStackReview({ stack: 'dev', mode: 'what-if', changes }, 'main');
    expect(md).toMatch(/🔴 downtime `aws_vpc\.\w+`/);
    expect(md).toMatch(/replaced because of `cidr_block`/);
  });

  it('flags SSH opened to the world as a security risk', () => {
    const changes = reviews.get('ssh-world') ?? [];
    expect(changes.map((c) => [c.type, c.kind])).toEqual([['aws_vpc_security_group_ingress_rule', 'create']]);
    expect(changes[0].flags).toEqual([{ kind: 'security', message: 'opens port 22 to the whole internet (0.0.0.0/0)' }]);
  });

  it('fails --fail-on security on SSH opened to the world, and passes the instance type change', () => {
    const gate = (name: string) =>
      gateFailures([{ stack: 'dev', mode: 'what-if', changes: reviews.get(name) ?? [] }], new Map(), ['security']);
    expect(gate('ssh-world')).toEqual([
      expect.objectContaining({ kind: 'security', what: expect.stringMatching(/opens port 22 to the whole internet/) }),
    ]);
    expect(gate('instance-type')).toEqual([]);
    expect(gate('no-op')).toEqual([]);
  });

  it('gives the same review through whatIf (check and head plans side by side, state from the configuration, no correction)', async () => {
    // Fresh directories: whatIf inits them itself, and its state must be right the first time: the
    // state from the configuration has the provider's defaults, the evaluated container definitions,
    // user data and policy documents, so the first consistency plan is empty and proves it.
    const result = await whatIf(t, synth('what-if-base', {}), synth('what-if-head', heads['instance-type']), undefined, {
      maxCorrections: 0,
    });
    expect(result.unvouched).toEqual([]);
    expect(reviewChanges(result.plan)).toEqual(reviews.get('instance-type'));
  });

  it('says which resources it cannot vouch for when the base state is not proven (no corrections allowed)', async () => {
    // A value only a plan computes (a function the synthetic state does not evaluate) in the base:
    // without a correction round the base's own plan is not empty for that resource, and the review
    // must say so instead of using the state.
    const baseDir = synth('unproven-base', {});
    const file = join(baseDir, 'cdk.tf.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    const [vpcName] = Object.keys(config.resource.aws_vpc);
    config.resource.aws_vpc[vpcName].tags = { ...config.resource.aws_vpc[vpcName].tags, Probe: '${upper("x")}' };
    writeFileSync(file, JSON.stringify(config));
    const result = await whatIf(t, baseDir, synth('unproven-head', heads['instance-type']), undefined, { maxCorrections: 0 });
    expect(result.unvouched).toEqual([`aws_vpc.${vpcName}`]);
    const changes = reviewChanges(result.plan);
    const md = renderStackReview({ stack: 'dev', mode: 'what-if', changes, unvouched: result.unvouched }, 'main');
    expect(md).toContain(`⚠️ **The base state is not proven for ${result.unvouched.length} resource`);
    expect(md).toContain(`\`${result.unvouched[0]}\``);
  });
});

suite('npm run review end to end', () => {
  it('reports stacks whose configuration did not change as "no changes" without planning them, and where the time went', async () => {
    const out = join(work, 'unchanged-review.md');
    const stderr: string[] = [];
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => stderr.push(String(c)) > 0);
    const std = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      // The working tree synthesizes what HEAD does (these tests change no stack code or config).
      expect(await main(['--base', 'HEAD', '--out', out, '--fail-on', 'downtime,security,policy'])).toBe(0);
    } finally {
      err.mockRestore();
      std.mockRestore();
    }
    const md = readFileSync(out, 'utf8');
    for (const stack of ['dev', 'prod']) {
      expect(md).toContain(
        `## Plan review: \`${stack}\`\n\n**No changes.** The head synthesizes the same configuration as \`HEAD\`: not planned.`,
      );
      expect(stderr.join('')).toContain(`[${stack}] configuration unchanged: not planned`);
    }
    expect(stderr.join('')).not.toMatch(/terraform init|plan against/);
    expect(md.match(/## Policy \(head\)/g)).toHaveLength(1);
    expect(md).toMatch(/^Base `HEAD` at `[0-9a-f]{40}` · head `[0-9a-f]{40}`/m);
    expect(md).toContain('## Gate: passed');
    expect(md).toMatch(/Where the time went: [\d.]+ s in all[\s\S]*\| review: synth the working tree \| [\d.]+ \|/);
  }, 120_000);
});

suite('npm run review end to end, one stack changed', () => {
  it('plans only the changed stack, prices it, and fails --fail-on downtime on its instance refresh', async () => {
    const base = baseWithDevInstanceType(resolve(__dirname, '../..'), 't3.medium');
    const out = join(work, 'changed-review.md');
    const stderr: string[] = [];
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => stderr.push(String(c)) > 0);
    const std = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await main(['--base', base, '--out', out, '--fail-on', 'downtime']);
    } finally {
      err.mockRestore();
      std.mockRestore();
    }
    const md = readFileSync(out, 'utf8');
    expect(code).toBe(1);
    expect(stderr.join('')).toContain('[prod] configuration unchanged: not planned');
    expect(stderr.join('')).not.toMatch(/\[prod\] (base|head)/);
    expect(md).toContain('**Monthly cost: −16.64 USD**');
    expect(md).toMatch(/## Gate: failed\n\n`--fail-on downtime`: 1 finding:\n- downtime in `dev`: `aws_autoscaling_group\./);
    expect(md).toMatch(/\| dev: base consistency plan and head plan, round 1 \| [\d.]+ \|/);
  }, 300_000);
});
