import { PlanJson, ResourceChange } from './plan-json';
import { PRICES, PriceTable, RegionPrices } from './prices';

/** One priced part of a resource on one side of the plan: a known monthly figure, or why there is none. */
export type Charge = { readonly usd: number; readonly what: string } | { readonly unknown: string };

/** What one resource costs a month before (base) and after (head); absent on the side it does not exist. */
export interface CostLine {
  readonly address: string;
  readonly before?: readonly Charge[];
  readonly after?: readonly Charge[];
}

export interface CostDelta {
  readonly region: string;
  readonly table: { readonly date: string; readonly source: string };
  /** Resources whose monthly cost changes or cannot be told. */
  readonly lines: readonly CostLine[];
  /** Sum of the known differences, USD a month. */
  readonly deltaUsd: number;
  /** Lines with an unknown charge on either side: the delta leaves them out. */
  readonly unknown: number;
}

type Side = 'before' | 'after';
type Values = Record<string, unknown>;

function isRecord(v: unknown): v is Values {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function first(v: unknown): Values {
  return Array.isArray(v) && isRecord(v[0]) ? v[0] : {};
}

/** Prices the plan's resources on both sides with the checked-in table. */
export class Pricer {
  private readonly region: RegionPrices | undefined;

  constructor(
    private readonly plan: PlanJson,
    private readonly regionName: string,
    private readonly table: PriceTable = PRICES,
  ) {
    this.region = table.regions[regionName];
  }

  private hourly(usdPerHour: number, what: string): Charge {
    return { usd: usdPerHour * this.table.hoursPerMonth, what };
  }

  private instance(type: unknown, count: number): Charge {
    const price = typeof type === 'string' ? this.region?.instanceHourly[type] : undefined;
    if (price === undefined) return { unknown: `instance type ${String(type)} in ${this.regionName} is not in the price table` };
    return { usd: price * this.table.hoursPerMonth * count, what: `${count} × ${type}` };
  }

  private volume(size: unknown, type: unknown, count: number): Charge {
    const volumeType = typeof type === 'string' ? type : 'gp3'; // the provider's default for new volumes
    const price = this.region?.ebsGiBMonth[volumeType];
    if (typeof size !== 'number') return { unknown: 'a volume whose size the plan does not know' };
    if (price === undefined) return { unknown: `${volumeType} volumes in ${this.regionName} are not in the price table` };
    return { usd: price * size * count, what: `${count} × ${size} GiB ${volumeType}` };
  }

  private values(c: ResourceChange, side: Side): Values | undefined {
    const v = c.change[side];
    return isRecord(v) ? v : undefined;
  }

  /** Whether a figure was checked against its source: the review says which ones were not. */
  private checked(field: keyof RegionPrices): string {
    return this.table.unverified.includes(field) ? 'list price not verified' : 'list price';
  }

  /** The aws_eip resources on this side of the plan. */
  private elasticIps(side: Side): number {
    return this.plan.resource_changes.filter((c) => c.type === 'aws_eip' && this.values(c, side) !== undefined).length;
  }

  /**
   * The instances' own public IPv4 addresses (a template that asks for one): one per instance, less
   * the Elastic IPs on the same side, which the one instance takes over at boot (EC2 releases its
   * own address then). A fleet has no Elastic IP: every instance keeps its own.
   */
  private instanceAddresses(template: Values, instances: number, side: Side): Charge[] {
    const nic = first(template.network_interfaces);
    if (nic.associate_public_ip_address !== true && nic.associate_public_ip_address !== 'true') return [];
    const own = Math.max(0, instances - this.elasticIps(side));
    return own === 0
      ? []
      : [{ usd: this.table.publicIpv4Hourly * this.table.hoursPerMonth * own, what: `${own} × public IPv4 address (the instances' own)` }];
  }

  /** An internet-facing balancer's public IPv4 addresses: one per subnet (zone) it has a node in. */
  private balancerAddresses(balancer: Values, side: Side): Charge[] {
    if (balancer.internal !== false) return [];
    // A created balancer's subnets are ids known after apply: then the plan's subnets on that side count.
    const subnets = Array.isArray(balancer.subnets)
      ? balancer.subnets.length
      : this.plan.resource_changes.filter((c) => c.type === 'aws_subnet' && this.values(c, side) !== undefined).length;
    if (subnets === 0) return [{ unknown: 'a load balancer whose zones the plan does not know (its public addresses)' }];
    return [
      { usd: this.table.publicIpv4Hourly * this.table.hoursPerMonth * subnets, what: `${subnets} × public IPv4 address (one per zone)` },
    ];
  }

  /** Instances the Auto Scaling groups on this side launch from a template. */
  private instancesOf(template: ResourceChange, side: Side): number {
    const t = this.values(template, side) ?? {};
    const templates = this.plan.resource_changes.filter((c) => c.type === 'aws_launch_template');
    let count = 0;
    for (const group of this.plan.resource_changes.filter((c) => c.type === 'aws_autoscaling_group')) {
      const g = this.values(group, side);
      if (!g) continue;
      const lt = first(g.launch_template);
      const matches =
        (typeof lt.id === 'string' && lt.id === t.id) ||
        (typeof lt.name === 'string' && lt.name === t.name) ||
        // A template being replaced (or created) has no id yet on the head side, and a created group's
        // block may hold nothing known yet; with one template, it is that one.
        (Array.isArray(g.launch_template) && g.launch_template.length > 0 && typeof lt.id !== 'string' && templates.length === 1);
      if (!matches) continue;
      const desired = typeof g.desired_capacity === 'number' ? g.desired_capacity : g.min_size;
      count += typeof desired === 'number' ? desired : 0;
    }
    return count;
  }

  private charges(c: ResourceChange, side: Side): Charge[] | undefined {
    const v = this.values(c, side);
    if (!v) return undefined;
    if (!this.region && PRICED.has(c.type) && c.type !== 'aws_eip') return [{ unknown: `no prices for ${this.regionName} in the table` }];
    switch (c.type) {
      case 'aws_instance': {
        const root = first(v.root_block_device);
        return [
          this.instance(v.instance_type, 1),
          ...(root.volume_size !== undefined ? [this.volume(root.volume_size, root.volume_type, 1)] : []),
        ];
      }
      case 'aws_launch_template': {
        const n = this.instancesOf(c, side);
        if (n === 0) return [];
        const volumes = (Array.isArray(v.block_device_mappings) ? v.block_device_mappings : [])
          .map((m) => first(isRecord(m) ? m.ebs : undefined))
          .filter((ebs) => Object.keys(ebs).length > 0)
          .map((ebs) => this.volume(ebs.volume_size, ebs.volume_type, n));
        return [this.instance(v.instance_type, n), ...volumes, ...this.instanceAddresses(v, n, side)];
      }
      case 'aws_ebs_volume':
        return [this.volume(v.size, v.type, 1)];
      case 'aws_eip':
        return [this.hourly(this.table.publicIpv4Hourly, 'public IPv4 address')];
      case 'aws_nat_gateway':
        return [this.hourly(this.region?.natGatewayHourly ?? 0, 'NAT gateway (hours; data processed is extra)')];
      case 'aws_lb':
      case 'aws_alb': {
        const kind = typeof v.load_balancer_type === 'string' ? v.load_balancer_type : 'application';
        const price = this.region?.loadBalancerHourly[kind];
        if (price === undefined) return [{ unknown: `${kind} load balancers in ${this.regionName} are not in the price table` }];
        const unit = this.region?.loadBalancerCapacityUnitHourly[kind];
        if (unit === undefined) return [this.hourly(price, `${kind} load balancer (hours; capacity units are extra)`)];
        return [
          this.hourly(price, `${kind} load balancer (hours)`),
          this.hourly(unit, `1 capacity unit around the clock (usage-based; ${this.checked('loadBalancerCapacityUnitHourly')})`),
          ...this.balancerAddresses(v, side),
        ];
      }
      default:
        return [];
    }
  }

  /** The monthly cost delta of the plan: one line per resource whose cost changes or is unknown. */
  delta(): CostDelta {
    const lines: CostLine[] = [];
    for (const c of this.plan.resource_changes.filter((c) => c.mode === 'managed' && PRICED.has(c.type))) {
      const line: CostLine = { address: c.address, before: this.charges(c, 'before'), after: this.charges(c, 'after') };
      const diff = monthly(line.after) - monthly(line.before);
      const unknown = hasUnknown(line.before) || hasUnknown(line.after);
      const acted = c.change.actions.join() !== 'no-op';
      if ((unknown && acted) || Math.abs(diff) >= 0.005) lines.push(line);
    }
    const known = lines.filter((l) => !hasUnknown(l.before) && !hasUnknown(l.after));
    return {
      region: this.regionName,
      table: { date: this.table.date, source: this.table.source },
      lines,
      deltaUsd: known.reduce((sum, l) => sum + monthly(l.after) - monthly(l.before), 0),
      unknown: lines.length - known.length,
    };
  }
}

/** The resource types the table prices (instances, their volumes, public addresses, NAT gateways, load balancers). */
const PRICED = new Set(['aws_instance', 'aws_launch_template', 'aws_ebs_volume', 'aws_eip', 'aws_nat_gateway', 'aws_lb', 'aws_alb']);

export function hasUnknown(charges: readonly Charge[] | undefined): boolean {
  return (charges ?? []).some((c) => 'unknown' in c);
}

/** The known part of a side's charges, USD a month. */
export function monthly(charges: readonly Charge[] | undefined): number {
  return (charges ?? []).reduce((sum, c) => sum + ('usd' in c ? c.usd : 0), 0);
}

export function costDelta(plan: PlanJson, region: string, table: PriceTable = PRICES): CostDelta {
  return new Pricer(plan, region, table).delta();
}
