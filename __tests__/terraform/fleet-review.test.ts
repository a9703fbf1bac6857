/**
 * The plan review of moving from one instance to a fleet (instanceCount 1 -> 3), against a synthetic
 * base state, with the real provider offline: the new balancer, the Elastic IP released (the public
 * address changes), the DNS record moving to an alias, the services recreated as daemons, and what
 * it costs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../stacks/app';
import { EnvironmentConfigInput, parseConfig } from '../../stacks/config';
import { OfflineTerraform } from '../../review/terraform';
import { whatIf } from '../../review/what-if';
import { reviewChanges } from '../../review/changes';
import { renderStackReview } from '../../review/markdown';
import { ReviewedChange } from '../../review/risk';
import { costDelta, CostDelta } from '../../review/cost';
import { gateFailures } from '../../review/gate';
import { PRICES } from '../../review/prices';
import { describeWithTerraform, offlineTerraformForTests } from './support/offline-terraform';

const work = mkdtempSync(join(tmpdir(), 'fleet-review-'));
const tf = offlineTerraformForTests(work);

const BASE: EnvironmentConfigInput = {
  name: 'dev',
  region: 'eu-west-1',
  domain: 'app.example.com',
  acmeEmail: 'ops@example.com',
  hostedZoneId: 'Z0123456789ABC',
};

function synth(name: string, env: Partial<EnvironmentConfigInput>): string {
  const outdir = join(work, name);
  buildApp(parseConfig({ environments: [{ ...BASE, ...env }] }), { outdir, skipPolicy: true }).app.synth();
  return join(outdir, 'stacks', 'dev');
}

const suite = describeWithTerraform(tf);

suite('review of instanceCount 1 -> 3 (real provider, offline)', () => {
  let changes: ReviewedChange[] = [];
  let cost: CostDelta;
  let md = '';
  const of = (type: string) => changes.filter((c) => c.type === type);

  beforeAll(async () => {
    const result = await whatIf(tf as OfflineTerraform, synth('base', {}), synth('head', { instanceCount: 3 }));
    expect(result.unvouched).toEqual([]);
    changes = reviewChanges(result.plan);
    cost = costDelta(result.plan, 'eu-west-1');
    md = renderStackReview({ stack: 'dev', mode: 'what-if', changes, cost }, 'main');
  }, 600_000);

  it('creates the balancer, its listeners and target groups, and flags the new public entry point', () => {
    expect(of('aws_lb').map((c) => c.kind)).toEqual(['create']);
    expect(of('aws_lb')[0].flags).toEqual([
      { kind: 'security', message: 'adds an internet-facing network load balancer: a new public entry point (its listeners below)' },
    ]);
    expect(of('aws_lb_listener').map((c) => c.kind)).toEqual(['create', 'create']);
    // Listeners on 80 and 443 passed through are what the balancer is for: not flagged.
    expect(of('aws_lb_listener').flatMap((c) => c.flags)).toEqual([]);
    expect(of('aws_lb_target_group').map((c) => c.kind)).toEqual(['create', 'create']);
  });

  it('flags the Elastic IP released as the public address changing', () => {
    const [eip] = of('aws_eip');
    expect(eip.kind).toBe('delete');
    expect(eip.flags).toContainEqual({
      kind: 'downtime',
      message: expect.stringMatching(/^releases the Elastic IP .*: the platform's public address changes/),
    });
    expect(md).toMatch(/🔴 downtime `aws_eip\.\w+`: releases the Elastic IP/);
  });

  it('flags the DNS record moving from the address to an alias of the balancer', () => {
    const [record] = of('aws_route53_record');
    expect(record.kind).toMatch(/update|replace/);
    expect(record.flags).toContainEqual({
      kind: 'downtime',
      message: expect.stringMatching(
        /^the domain moves \(\d+\.\d+\.\d+\.\d+ -> an alias of \(known after apply\)\): resolvers keep the old answer up to its TTL \(300 s\)/,
      ),
    });
  });

  it('flags every service recreated as a daemon, copies included', () => {
    const services = of('aws_ecs_service');
    expect(services).toHaveLength(5);
    for (const s of services) {
      expect(s.kind).toBe('replace');
      expect(s.flags).toContainEqual({ kind: 'downtime', message: expect.stringMatching(/scheduling_strategy "REPLICA" -> "DAEMON"/) });
    }
  });

  it('grows the group to 3 without calling the refresh an outage of the only instance', () => {
    const [group] = of('aws_autoscaling_group');
    expect(group.diffs).toContainEqual(expect.objectContaining({ path: 'desired_capacity', before: 1, after: 3 }));
    expect(group.flags.filter((f) => /only instance/.test(f.message))).toEqual([]);
  });

  it('moves the instances behind the balancer: their 80/443 rules replaced by ones from its group', () => {
    const rules = of('aws_vpc_security_group_ingress_rule').filter((c) => /http/.test(c.address));
    const instanceRules = rules.filter((c) => !/balancer-/.test(c.address));
    expect(instanceRules.map((c) => c.kind)).toEqual(['replace', 'replace']);
    // The group the rule references is known after apply; what the plan shows is the world going.
    for (const c of instanceRules) {
      expect(c.diffs).toContainEqual({ path: 'cidr_ipv4', before: '0.0.0.0/0', after: null, forcesReplacement: true });
    }
    expect(rules.filter((c) => /balancer-/.test(c.address)).map((c) => c.kind)).toEqual(['create', 'create']);
  });

  it('fails --fail-on downtime,security', () => {
    const failures = gateFailures([{ stack: 'dev', mode: 'what-if', changes }], new Map(), ['downtime', 'security']);
    expect(failures.map((f) => f.kind)).toEqual(expect.arrayContaining(['downtime', 'security']));
  });

  it('prices the move: two more instances, the balancer, its capacity unit and the extra addresses, less nothing', () => {
    const eu = PRICES.regions['eu-west-1'];
    const h = PRICES.hoursPerMonth;
    const expected =
      2 * eu.instanceHourly['t3.small'] * h +
      2 * 30 * eu.ebsGiBMonth.gp3 +
      (eu.loadBalancerHourly.network + eu.loadBalancerCapacityUnitHourly.network) * h +
      // 3 instances' own + 2 balancer addresses, for the one Elastic IP released.
      (3 + 2 - 1) * PRICES.publicIpv4Hourly * h;
    expect(cost.unknown).toBe(0);
    expect(cost.deltaUsd).toBeCloseTo(expected, 6);
    expect(md).toContain('list price not verified');
  });
});

suite('review of a fleet against itself (the synthetic state holds the balancer and the daemons)', () => {
  it('proves the base state of a fleet and reports no changes', async () => {
    const dir = (name: string) => synth(name, { instanceCount: 3 });
    const result = await whatIf(tf as OfflineTerraform, dir('fleet-base'), dir('fleet-head'), undefined, { maxCorrections: 0 });
    expect(result.unvouched).toEqual([]);
    expect(reviewChanges(result.plan)).toEqual([]);
  }, 600_000);
});
