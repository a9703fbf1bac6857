import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../stacks/app';
import { EnvironmentConfigInput, parseConfig } from '../../stacks/config';
import { OfflineTerraform, TerraformUnavailableError, offlineTerraform } from '../../review/terraform';
import { baseState, initOffline, planHead, whatIf } from '../../review/what-if';
import { reviewChanges } from '../../review/changes';
import { renderStackReview } from '../../review/markdown';
import { ReviewedChange } from '../../review/risk';
import { TerraformState } from '../../review/synthetic-state';
import { PlanJson } from '../../review/plan-json';
import { costDelta } from '../../review/cost';
import { gateFailures } from '../../review/gate';

const work = mkdtempSync(join(tmpdir(), 'review-test-'));
let tf: OfflineTerraform | undefined;
try {
  tf = offlineTerraform(join(work, 'cli'));
} catch (err) {
  if (!(err instanceof TerraformUnavailableError)) throw err;
  // A missing Terraform is a failed run, never a silent pass.
  const message = `the plan review needs Terraform: ${err.message}`;
  test('Terraform is available', () => {
    throw new Error(message);
  });
}

const BASE: EnvironmentConfigInput = { name: 'dev', region: 'eu-west-1' };

/** Synthesizes one environment (skipping synth-time policy: the review reports policy itself). */
function synth(name: string, env: Partial<EnvironmentConfigInput>): string {
  const outdir = join(work, name);
  buildApp(parseConfig({ environments: [{ ...BASE, ...env }] }), { outdir, skipPolicy: true }).app.synth();
  return join(outdir, 'stacks', 'dev');
}

const suite = tf ? describe : describe.skip;

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

  it('gives the same review through whatIf (check and head plans side by side, state from the configuration)', async () => {
    // Fresh directories: whatIf inits them itself, and its state must settle on its own.
    const review = reviewChanges(await whatIf(t, synth('what-if-base', {}), synth('what-if-head', heads['instance-type'])));
    expect(review).toEqual(reviews.get('instance-type'));
  });
});
