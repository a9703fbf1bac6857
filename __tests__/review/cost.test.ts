import { readFileSync } from 'node:fs';
import { costDelta } from '../../review/cost';
import { renderCost } from '../../review/markdown';
import { PlanJson, ResourceChange } from '../../review/plan-json';
import { PRICES } from '../../review/prices';

const change = (address: string, actions: ResourceChange['change']['actions'], before: unknown, after: unknown): ResourceChange => ({
  address,
  mode: 'managed',
  type: address.split('.')[0],
  name: address.split('.')[1],
  change: { actions, before, after },
});

const plan = (...resource_changes: ResourceChange[]): PlanJson => ({
  terraform_version: '1.11.4',
  planned_values: { root_module: { resources: [] } },
  resource_changes,
});

const template = (instance_type: string, size = 30) => ({
  id: 'lt-1',
  name: 'dev-instance',
  instance_type,
  block_device_mappings: [{ ebs: [{ volume_size: size, volume_type: 'gp3' }] }],
});
const group = (desired_capacity: number) => ({ launch_template: [{ id: 'lt-1', version: '1' }], desired_capacity, min_size: 1 });

describe('the price table', () => {
  it("holds the README's eu-west-1 figures (Cost at the defaults)", () => {
    const readme = readFileSync('README.md', 'utf8');
    const eu = PRICES.regions['eu-west-1'];
    expect(readme).toContain(`t3.small instance (${eu.instanceHourly['t3.small']} USD/h)`);
    expect(readme).toContain(`the Elastic IP (${PRICES.publicIpv4Hourly} USD/h)`);
    expect(readme).toContain(`gp3 root volume (${eu.ebsGiBMonth.gp3} USD/GiB)`);
  });

  it('has a date and a source', () => {
    expect(PRICES.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICES.source).toMatch(/aws\.amazon\.com/);
  });
});

describe('costDelta', () => {
  it('prices an instance type change through the group that launches from the template', () => {
    const p = plan(
      change('aws_launch_template.t', ['update'], template('t3.small'), template('t3.medium')),
      change('aws_autoscaling_group.g', ['update'], group(1), group(1)),
    );
    const cost = costDelta(p, 'eu-west-1');
    expect(cost.lines.map((l) => l.address)).toEqual(['aws_launch_template.t']);
    expect(cost.deltaUsd).toBeCloseTo((0.0456 - 0.0228) * 730, 6);
    expect(cost.unknown).toBe(0);
    expect(renderCost(cost).join('\n')).toContain('**Monthly cost: +16.64 USD**');
  });

  it('multiplies by the desired capacity, and counts a capacity change on an unchanged template', () => {
    const p = plan(
      change('aws_launch_template.t', ['no-op'], template('t3.small'), template('t3.small')),
      change('aws_autoscaling_group.g', ['update'], group(1), group(2)),
    );
    expect(costDelta(p, 'eu-west-1').deltaUsd).toBeCloseTo(0.0228 * 730 + 30 * 0.088, 6);
  });

  it('prices creates and deletes of addresses, NAT gateways, load balancers and volumes', () => {
    const p = plan(
      change('aws_eip.a', ['create'], null, { domain: 'vpc' }),
      change('aws_nat_gateway.n', ['create'], null, {}),
      change('aws_lb.l', ['create'], null, { load_balancer_type: 'application' }),
      change('aws_ebs_volume.v', ['delete'], { size: 100, type: 'gp2' }, null),
    );
    const cost = costDelta(p, 'eu-west-1');
    expect(cost.deltaUsd).toBeCloseTo((0.005 + 0.048 + 0.0252) * 730 - 100 * 0.11, 6);
    expect(cost.lines).toHaveLength(4);
  });

  it('says "unknown" for what the table does not hold, and leaves it out of the total', () => {
    const p = plan(
      change('aws_launch_template.t', ['update'], template('t3.small'), template('m7i.large')),
      change('aws_autoscaling_group.g', ['no-op'], group(1), group(1)),
      change('aws_eip.a', ['create'], null, {}),
    );
    const cost = costDelta(p, 'eu-west-1');
    expect(cost.unknown).toBe(1);
    expect(cost.deltaUsd).toBeCloseTo(3.65, 6);
    const md = renderCost(cost).join('\n');
    expect(md).toContain('**Monthly cost: +3.65 USD, plus 1 resource the table cannot price**');
    expect(md).toContain('unknown (instance type m7i.large in eu-west-1 is not in the price table)');
    const elsewhere = costDelta(plan(change('aws_nat_gateway.n', ['create'], null, {})), 'ap-south-2');
    expect(elsewhere.unknown).toBe(1);
    expect(renderCost(elsewhere).join('\n')).toContain('no prices for ap-south-2 in the table');
  });

  it("prices a network load balancer's hours, one capacity unit (said to be unverified) and one address per zone", () => {
    const p = plan(
      change('aws_lb.n', ['create'], null, { load_balancer_type: 'network', internal: false }),
      change('aws_subnet.a', ['no-op'], {}, {}),
      change('aws_subnet.b', ['no-op'], {}, {}),
    );
    const cost = costDelta(p, 'eu-west-1');
    expect(cost.deltaUsd).toBeCloseTo((0.0252 + 0.006 + 2 * 0.005) * 730, 6);
    expect(renderCost(cost).join('\n')).toContain('1 capacity unit around the clock (usage-based; list price not verified)');
    expect(PRICES.unverified).toContain('loadBalancerCapacityUnitHourly');
    // An internal balancer has no public address.
    expect(
      costDelta(plan(change('aws_lb.n', ['create'], null, { load_balancer_type: 'network', internal: true })), 'eu-west-1').deltaUsd,
    ).toBeCloseTo((0.0252 + 0.006) * 730, 6);
  });

  it("counts the instances' own public addresses, less the Elastic IP the one instance takes over", () => {
    const withAddress = { ...template('t3.small'), network_interfaces: [{ associate_public_ip_address: 'true' }] };
    const one = plan(
      change('aws_launch_template.t', ['create'], null, withAddress),
      change('aws_autoscaling_group.g', ['create'], null, group(1)),
      change('aws_eip.a', ['create'], null, {}),
    );
    expect(costDelta(one, 'eu-west-1').deltaUsd).toBeCloseTo(0.0228 * 730 + 30 * 0.088 + 0.005 * 730, 6);
    const three = plan(
      change('aws_launch_template.t', ['create'], null, withAddress),
      change('aws_autoscaling_group.g', ['create'], null, group(3)),
    );
    expect(costDelta(three, 'eu-west-1').deltaUsd).toBeCloseTo(3 * (0.0228 * 730 + 30 * 0.088 + 0.005 * 730), 6);
  });

  it('reports no change when nothing priced moves', () => {
    const p = plan(change('aws_cloudwatch_log_group.l', ['create'], null, {}));
    expect(renderCost(costDelta(p, 'eu-west-1'))[0]).toMatch(/^\*\*Monthly cost: no change\*\*/);
  });
});
