/**
 * Real Terraform, offline: a fleet (instanceCount 3) validates and plans the network load balancer
 * with its listeners on 80 and 443, a group of 3 and every service a DAEMON; instanceCount 1 plans
 * exactly the resources of the stack without the field.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../stacks/app';
import { EnvironmentConfigInput, parseConfig } from '../../stacks/config';
import { PROXY_READINESS_PATH } from '../../contract/services';
import { OfflineTerraform, terraform, writeOfflineOverride } from '../../review/terraform';
import { costDelta } from '../../review/cost';
import { PlanJson } from '../../review/plan-json';
import { describeWithTerraform, offlineTerraformForTests } from './support/offline-terraform';

const work = mkdtempSync(join(tmpdir(), 'platform-fleet-tf-'));
const tf = offlineTerraformForTests(work);

const BASE: EnvironmentConfigInput = {
  name: 'fleet',
  region: 'eu-west-1',
  domain: 'app.example.com',
  acmeEmail: 'ops@example.com',
  hostedZoneId: 'Z0123456789ABC',
};

interface PlannedResource {
  readonly address: string;
  readonly type: string;
  readonly actions: string;
  readonly after: Record<string, unknown>;
}

/** What the review prices for a stack planned from nothing: its whole monthly figure (USD). */
const monthlyCosts = new Map<string, number>();

async function plan(t: OfflineTerraform, name: string, env: Partial<EnvironmentConfigInput>): Promise<PlannedResource[]> {
  const outdir = join(work, name);
  buildApp(parseConfig({ environments: [{ ...BASE, ...env }] }), { outdir }).app.synth();
  const dir = join(outdir, 'stacks', 'fleet');
  writeOfflineOverride(dir);
  await terraform(t, dir, ['init', '-input=false', '-no-color']);
  const validate = JSON.parse(await terraform(t, dir, ['validate', '-json', '-no-color'])) as { valid: boolean; error_count: number };
  expect(validate).toMatchObject({ valid: true, error_count: 0 });
  await terraform(t, dir, ['plan', '-input=false', '-lock=false', '-no-color', '-out=plan.bin']);
  const text = await terraform(t, dir, ['show', '-json', 'plan.bin']);
  const shown = JSON.parse(text) as {
    resource_changes: { address: string; type: string; mode: string; change: { actions: string[]; after: Record<string, unknown> } }[];
  };
  const cost = costDelta(JSON.parse(text) as PlanJson, 'eu-west-1');
  expect(cost.unknown).toBe(0);
  monthlyCosts.set(name, cost.deltaUsd);
  return shown.resource_changes
    .filter((rc) => rc.mode === 'managed')
    .map((rc) => ({ address: rc.address, type: rc.type, actions: rc.change.actions.join(), after: rc.change.after }));
}

const counts = (resources: readonly PlannedResource[]): Record<string, number> => {
  const byType: Record<string, number> = {};
  for (const r of resources) byType[r.type] = (byType[r.type] ?? 0) + 1;
  return byType;
};

const suite = describeWithTerraform(tf);

suite('a fleet plans with real Terraform (offline)', () => {
  const t = tf as OfflineTerraform;
  const plans = new Map<string, PlannedResource[]>();

  beforeAll(async () => {
    // One after the other: the machine has two cores, and each plan keeps one busy.
    for (const [name, env] of [
      ['three', { instanceCount: 3 }],
      ['two', { instanceCount: 2 }],
      ['one', { instanceCount: 1 }],
      ['default', {}],
    ] as const) {
      plans.set(name, await plan(t, name, env));
    }
  }, 600_000);

  const three = () => plans.get('three') ?? [];
  const ofType = (type: string) => three().filter((r) => r.type === type);

  it('plans only creations', () => {
    expect(three().filter((r) => r.actions !== 'create')).toEqual([]);
  });

  it('an internet-facing network load balancer, cross-zone (its subnets and group are known after apply: the unit tests check those)', () => {
    const [balancer, ...more] = ofType('aws_lb');
    expect(more).toEqual([]);
    expect(balancer.after).toMatchObject({
      name: 'platform-fleet',
      load_balancer_type: 'network',
      internal: false,
      enable_cross_zone_load_balancing: true,
    });
  });

  it('TCP listeners on 80 and 443, and TCP target groups checked over HTTP on the readiness path', () => {
    expect(ofType('aws_lb_listener').map((l) => [l.after.port, l.after.protocol])).toEqual(
      expect.arrayContaining([
        [80, 'TCP'],
        [443, 'TCP'],
      ]),
    );
    expect(ofType('aws_lb_listener')).toHaveLength(2);
    const groups = ofType('aws_lb_target_group');
    expect(groups.map((g) => g.after.port).sort()).toEqual([443, 80]);
    for (const g of groups) {
      expect(g.after).toMatchObject({ protocol: 'TCP', target_type: 'instance' });
      expect(g.after.health_check).toEqual([expect.objectContaining({ protocol: 'HTTP', port: '80', path: PROXY_READINESS_PATH })]);
    }
  });

  it('a group of exactly 3 over both subnets, and no Elastic IP', () => {
    const [group] = ofType('aws_autoscaling_group');
    expect(group.after).toMatchObject({ min_size: 3, max_size: 3, desired_capacity: 3 });
    expect(ofType('aws_eip')).toEqual([]);
  });

  it('the proxy and every copy as DAEMON services on the EC2 launch type', () => {
    const services = ofType('aws_ecs_service');
    expect(services).toHaveLength(5);
    for (const s of services) expect(s.after).toMatchObject({ scheduling_strategy: 'DAEMON', launch_type: 'EC2' });
    expect(services.find((s) => s.after.name === 'platform-fleet-proxy')).toBeDefined();
  });

  it('the DNS record is an alias (no records, no TTL)', () => {
    const [record] = ofType('aws_route53_record');
    expect(record.after).toMatchObject({ name: 'app.example.com', type: 'A', records: null, ttl: null });
    expect(record.after.alias).toEqual([expect.objectContaining({ evaluate_target_health: true })]);
  });

  it('differs from one instance by exactly the balancer, its group and rules, less the address and its permission', () => {
    const one = counts(plans.get('one') ?? []);
    const delta: Record<string, number> = {};
    for (const type of new Set([...Object.keys(one), ...Object.keys(counts(three()))])) {
      const d = (counts(three())[type] ?? 0) - (one[type] ?? 0);
      if (d !== 0) delta[type] = d;
    }
    expect(delta).toEqual({
      aws_lb: 1,
      aws_lb_listener: 2,
      aws_lb_target_group: 2,
      aws_security_group: 1,
      aws_vpc_security_group_ingress_rule: 2,
      aws_vpc_security_group_egress_rule: 2,
      aws_eip: -1,
      aws_iam_role_policy: -1,
    });
  });

  it('instanceCount 1 plans exactly what the stack without the field plans', () => {
    const strip = (rs: readonly PlannedResource[]) => [...rs].sort((a, b) => a.address.localeCompare(b.address));
    expect(strip(plans.get('one') ?? [])).toEqual(strip(plans.get('default') ?? []));
    expect(counts(plans.get('one') ?? [])).toMatchObject({ aws_eip: 1, aws_ecs_service: 5 });
    expect(counts(plans.get('one') ?? []).aws_lb).toBeUndefined();
  });

  it("gives the README's cost per size: what the review prices for each, from the planned resources", () => {
    const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
    for (const [n, name] of [
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ] as const) {
      const usd = monthlyCosts.get(name) ?? NaN;
      console.log(`instanceCount ${n}: ${usd.toFixed(2)} USD a month priced by the review (eu-west-1, t3.small)`);
      expect(readme).toMatch(new RegExp(`^\\| ${n} \\| ${usd.toFixed(1).replace('.', '\\.')} USD \\|`, 'm'));
    }
  });
});
