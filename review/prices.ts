/**
 * The price table the review's monthly cost delta reads. Checked in, so a review is reproducible and
 * offline; anything not in it is priced "unknown" rather than guessed.
 *
 * On-demand list prices in USD (Linux, shared tenancy), before data transfer, usage-based charges
 * (load balancer capacity units, NAT data processing, logs) and the free tier. The eu-west-1 figures
 * are the README's "Cost at the defaults" ones. Re-check against the sources when a figure matters.
 */
export interface RegionPrices {
  /** USD per instance-hour. */
  readonly instanceHourly: Readonly<Record<string, number>>;
  /** USD per GiB-month of provisioned EBS storage, by volume type (no IOPS/throughput extras). */
  readonly ebsGiBMonth: Readonly<Record<string, number>>;
  /** USD per hour a NAT gateway exists (data processed is extra). */
  readonly natGatewayHourly: number;
  /** USD per hour a load balancer exists, by `load_balancer_type` (capacity units are extra). */
  readonly loadBalancerHourly: Readonly<Record<string, number>>;
  /**
   * USD per capacity unit-hour, by `load_balancer_type` (NLCU for a network one). Usage-based: the
   * review prices one unit around the clock, about what a small platform's traffic uses or less.
   */
  readonly loadBalancerCapacityUnitHourly: Readonly<Record<string, number>>;
}

export interface PriceTable {
  /** When the figures were compiled. */
  readonly date: string;
  readonly source: string;
  readonly hoursPerMonth: number;
  /** USD per hour for every public IPv4 address, Elastic IPs included (the same in every region). */
  readonly publicIpv4Hourly: number;
  readonly regions: Readonly<Record<string, RegionPrices>>;
  /**
   * Figures written from the published list prices as remembered, not checked against the source
   * when the table was compiled (this machine is offline): the review says so beside each charge.
   */
  readonly unverified: readonly (keyof RegionPrices)[];
}

export const PRICES: PriceTable = {
  date: '2026-12-01',
  source:
    'AWS on-demand list prices: aws.amazon.com/ec2/pricing/on-demand, /ebs/pricing, /vpc/pricing (public IPv4, NAT gateway), /elasticloadbalancing/pricing',
  hoursPerMonth: 730,
  publicIpv4Hourly: 0.005,
  unverified: ['loadBalancerCapacityUnitHourly'],
  regions: {
    'eu-west-1': {
      instanceHourly: {
        't3.nano': 0.0057,
        't3.micro': 0.0114,
        't3.small': 0.0228,
        't3.medium': 0.0456,
        't3.large': 0.0912,
        't3.xlarge': 0.1824,
        't3.2xlarge': 0.3648,
        't4g.micro': 0.0092,
        't4g.small': 0.0184,
        't4g.medium': 0.0368,
        't4g.large': 0.0736,
      },
      ebsGiBMonth: { gp3: 0.088, gp2: 0.11 },
      natGatewayHourly: 0.048,
      loadBalancerHourly: { application: 0.0252, network: 0.0252 },
      loadBalancerCapacityUnitHourly: { network: 0.006 },
    },
    'us-east-1': {
      instanceHourly: {
        't3.nano': 0.0052,
        't3.micro': 0.0104,
        't3.small': 0.0208,
        't3.medium': 0.0416,
        't3.large': 0.0832,
        't3.xlarge': 0.1664,
        't3.2xlarge': 0.3328,
        't4g.micro': 0.0084,
        't4g.small': 0.0168,
        't4g.medium': 0.0336,
        't4g.large': 0.0672,
      },
      ebsGiBMonth: { gp3: 0.08, gp2: 0.1 },
      natGatewayHourly: 0.045,
      loadBalancerHourly: { application: 0.0225, network: 0.0225 },
      loadBalancerCapacityUnitHourly: { network: 0.006 },
    },
  },
};
