import { PROXY_WEB_PORTS } from '../contract/services';
import { ChangeKind } from './plan-json';

/** Why a reviewer should look twice at a change. */
export type RiskFlag =
  | { readonly kind: 'downtime'; readonly message: string }
  | { readonly kind: 'security'; readonly message: string }
  | { readonly kind: 'data-loss'; readonly message: string };

/** One attribute that differs between the deployed (base) and the planned (head) values. */
export interface AttributeDiff {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  /** The provider replaces the resource because of this attribute. */
  readonly forcesReplacement: boolean;
}

export interface ReviewedChange {
  readonly address: string;
  readonly type: string;
  readonly kind: ChangeKind;
  readonly diffs: readonly AttributeDiff[];
  readonly flags: readonly RiskFlag[];
}

/** Replacing one of these takes the platform (or part of it) down; the reason says how. */
const DOWNTIME_ON_REPLACE: Readonly<Record<string, string>> = {
  aws_vpc: 'a new VPC means new subnets, groups and instance: the whole platform is rebuilt',
  aws_subnet: 'the instance and the file system mount targets in it are recreated',
  aws_internet_gateway: 'the platform is unreachable until the new gateway is attached',
  aws_route_table: 'the platform is unreachable until the new routes are associated',
  aws_route: 'traffic to the internet stops until the route is recreated',
  aws_security_group: 'the instance and file system lose their rules while the group is recreated',
  aws_ecs_cluster: 'every service and task is recreated on a new cluster',
  aws_ecs_service: 'the service is deleted and created again: its task stops first (its only copy)',
  aws_ecs_capacity_provider: 'services lose their capacity strategy while it is recreated',
  aws_autoscaling_group: 'the only instance is terminated and a new one launched',
  aws_eip: 'the public address changes: DNS records and clients must follow',
  aws_efs_file_system: "certificates are lost: the proxy must request new ones (Let's Encrypt allows 5 duplicates a week)",
  aws_efs_mount_target: 'the proxy cannot mount its certificates while the target is recreated',
  aws_ecs_task_definition: 'a new task definition revision: the service restarts its task (its only copy, fixed ports: brief outage)',
  aws_lb: 'a new balancer has a new DNS name and new addresses: clients fail until the alias (and their resolvers) follow',
  aws_lb_listener: 'the port stops accepting connections while its listener is recreated',
  aws_lb_target_group: 'no instance takes traffic on the port until every instance has registered and passed its health checks again',
};

const SECURITY_TYPES: Readonly<Record<string, string>> = {
  aws_security_group: 'security group',
  aws_vpc_security_group_ingress_rule: 'ingress rule',
  aws_vpc_security_group_egress_rule: 'egress rule',
  aws_default_security_group: 'default security group',
  aws_iam_role: 'IAM role',
  aws_iam_role_policy: 'IAM policy',
  aws_iam_role_policy_attachment: 'IAM managed policy attachment',
  aws_iam_instance_profile: 'instance profile',
  aws_ecr_repository: 'image repository settings',
  aws_eip: 'public address',
  aws_route53_record: 'public DNS record',
  aws_lb: 'load balancer',
  aws_lb_listener: 'load balancer listener',
};

const WORLD = new Set(['0.0.0.0/0', '::/0']);

/** The plan's attribute values stay `unknown` (see plan-json.ts); a resource's are an object, or null when deleted. */
function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Policy statements that allow every action of a service (or all of them), or trust any principal. */
function iamWildcards(type: string, after: Record<string, unknown>): RiskFlag[] {
  if (type === 'aws_iam_role_policy_attachment' || type === 'aws_iam_policy_attachment') {
    const arn = str(after.policy_arn ?? '');
    return /\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/.test(arn) ? [{ kind: 'security', message: `attaches ${arn}` }] : [];
  }
  const documents = { aws_iam_role_policy: after.policy, aws_iam_policy: after.policy, aws_iam_role: after.assume_role_policy }[type];
  if (typeof documents !== 'string') return [];
  let doc: unknown;
  try {
    doc = JSON.parse(documents);
  } catch {
    return []; // not JSON yet (an unknown value): nothing to judge
  }
  const statements = isRecord(doc) ? (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) : [];
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : v === undefined ? [] : [str(v)]);
  const flags: RiskFlag[] = [];
  for (const st of statements.filter(isRecord).filter((st) => st.Effect === 'Allow')) {
    const actions = list(st.Action).filter((a) => a === '*' || a.endsWith(':*'));
    if (actions.length > 0) flags.push({ kind: 'security', message: `allows every action of ${actions.join(', ')} (IAM wildcard)` });
    const principal = st.Principal;
    if (principal === '*' || (isRecord(principal) && list(principal.AWS).includes('*'))) {
      flags.push({ kind: 'security', message: 'trusts any principal (IAM wildcard)' });
    }
  }
  return flags;
}

function securityFlags(change: Omit<ReviewedChange, 'flags'>, after: Record<string, unknown>): RiskFlag[] {
  const label = SECURITY_TYPES[change.type];
  if (!label) return [];
  const flags: RiskFlag[] = [];
  if (change.type === 'aws_vpc_security_group_ingress_rule' && change.kind !== 'delete') {
    const cidr = str(after.cidr_ipv4 ?? after.cidr_ipv6 ?? '');
    const ports =
      after.from_port === after.to_port ? `port ${str(after.from_port)}` : `ports ${str(after.from_port)}-${str(after.to_port)}`;
    if (WORLD.has(cidr) && ![80, 443].includes(Number(after.from_port))) {
      flags.push({ kind: 'security', message: `opens ${ports} to the whole internet (${cidr})` });
    }
  }
  if (change.type === 'aws_launch_template' || change.type === 'aws_ecr_repository') {
    for (const d of change.diffs.filter((d) => /metadata_options|image_tag_mutability|scan_on_push/.test(d.path))) {
      flags.push({ kind: 'security', message: `${d.path}: ${str(d.before)} → ${str(d.after)}` });
    }
  }
  if (change.kind === 'create') flags.push(...iamWildcards(change.type, after));
  if (change.type === 'aws_lb' && change.kind === 'create' && after.internal === false) {
    flags.push({
      kind: 'security',
      message: `adds an internet-facing ${str(after.load_balancer_type ?? 'application')} load balancer: a new public entry point (its listeners below)`,
    });
  }
  if (change.type === 'aws_lb_listener' && change.kind !== 'delete') {
    const port = Number(after.port);
    const protocol = str(after.protocol ?? '');
    if (!PROXY_WEB_PORTS.includes(port) || protocol !== 'TCP') {
      flags.push({
        kind: 'security',
        message: `listens on ${protocol || 'an unknown protocol'} port ${str(after.port)}: only TCP 80 and 443, passed through to the proxy, belong on the balancer`,
      });
    }
  }
  // A create is flagged only for what makes it risky in itself (above: a port open to the world, an IAM
  // wildcard, a new public balancer or a listener off the web ports; a public address below); an
  // ordinary new rule, role or web listener is summarized with the other creates.
  if (change.kind === 'create' && change.type !== 'aws_eip') return flags;
  const verb = { create: 'adds', update: 'changes', replace: 'replaces', delete: 'removes', 'no-op': '', read: '' }[change.kind];
  if (verb && flags.length === 0) {
    const what = change.diffs.length > 0 && change.kind === 'update' ? ` (${change.diffs.map((d) => d.path).join(', ')})` : '';
    flags.push({ kind: 'security', message: `${verb} ${label}${what}` });
  }
  return flags;
}

/**
 * Whether the only instance rolls follows from the group's planned change, not the launch template's:
 * AWS starts an instance refresh only when the group's own launch template (id, name or version)
 * changes and the group has an instance refresh configured. A new template version under a group
 * pinned to `$Latest` or `$Default` changes nothing about the group, so nothing rolls.
 */
function instanceRefreshFlag(change: Omit<ReviewedChange, 'flags'>, after: Record<string, unknown>): RiskFlag | undefined {
  if (change.type !== 'aws_autoscaling_group' || change.kind !== 'update') return undefined;
  const template = change.diffs.filter((d) => /^launch_template\.\d+\.(id|name|version)$/.test(d.path));
  const refresh = after.instance_refresh;
  if (template.length === 0 || !Array.isArray(refresh) || refresh.length === 0) return undefined;
  // A fleet keeps N - 1 of N in service while one rolls (stacks/cluster.ts): no outage.
  const desired = Number(after.desired_capacity);
  const preferences = isRecord(refresh[0]) && Array.isArray(refresh[0].preferences) ? refresh[0].preferences[0] : undefined;
  const minHealthy = isRecord(preferences) ? Number(preferences.min_healthy_percentage) : 0;
  if (desired > 1 && minHealthy > 0) return undefined;
  const moves = template.map((d) => `${d.path}: ${str(d.before)} → ${str(d.after)}`).join(', ');
  return {
    kind: 'downtime',
    message: `the group's launch template changes (${moves}) and its instance refresh replaces the only instance (a rolling replacement of one = an outage of several minutes)`,
  };
}

/**
 * How many copies of a service the planned state holds (contract/services.ts: each copy is its own
 * ECS service and task definition family, `<prefix>-api`, `<prefix>-api-2`, …).
 */
export interface CopyCounts {
  /** Copies planned of the service an ECS service name or task definition family belongs to (0: none left). */
  copiesOf(name: string): number;
}

/** The service a copy's name belongs to: `platform-dev-api-2` and `platform-dev-api` are both `platform-dev-api`. */
export function copyGroup(name: string): string {
  return name.replace(/-[2-9]$/, '');
}

/** Counts the planned ECS services (and task definition families) per service; see {@link CopyCounts}. */
export function copyCounts(planned: readonly { readonly type: string; readonly after: unknown }[]): CopyCounts {
  const count = (type: string, field: string): Map<string, number> => {
    const groups = new Map<string, number>();
    for (const r of planned) {
      if (r.type !== type || !isRecord(r.after) || typeof r.after[field] !== 'string') continue;
      const group = copyGroup(r.after[field] as string);
      groups.set(group, (groups.get(group) ?? 0) + 1);
    }
    return groups;
  };
  const services = count('aws_ecs_service', 'name');
  const families = count('aws_ecs_task_definition', 'family');
  return { copiesOf: (name) => Math.max(services.get(copyGroup(name)) ?? 0, families.get(copyGroup(name)) ?? 0) };
}

/** Without a plan to count from: every service has one copy (the review of a single change). */
const ONE_COPY: CopyCounts = { copiesOf: () => 1 };

/** The ECS name a service or task definition change is about, from its planned (else its old) values. */
function ecsName(change: Omit<ReviewedChange, 'flags'>, a: Record<string, unknown>): string | undefined {
  const field = change.type === 'aws_ecs_task_definition' ? 'family' : 'name';
  const value = a[field];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Downtime of an ECS service or task definition change, by the copies the plan keeps: a copy that
 * rolls (a new task definition, a replaced service) is no downtime while another copy serves
 * (Terraform rolls them one at a time: stacks/platform-service.ts), but a change of the networking
 * design (network_mode) is, since every copy goes with it, and so is the last copy going.
 */
function ecsDowntime(change: Omit<ReviewedChange, 'flags'>, a: Record<string, unknown>, copies: CopyCounts): RiskFlag | undefined {
  if (change.type !== 'aws_ecs_service' && change.type !== 'aws_ecs_task_definition') return undefined;
  const name = ecsName(change, a);
  const planned = name === undefined ? 1 : copies.copiesOf(name);
  const network = change.diffs.find((d) => d.path === 'network_mode');
  if (change.type === 'aws_ecs_task_definition' && change.kind === 'replace' && network !== undefined) {
    return {
      kind: 'downtime',
      message: `the networking design changes (network_mode ${JSON.stringify(network.before)} -> ${JSON.stringify(network.after)}): every copy of the service moves to it, and the proxy's fixed upstreams with them`,
    };
  }
  const strategy = change.diffs.find((d) => d.path === 'scheduling_strategy');
  if (change.type === 'aws_ecs_service' && change.kind === 'replace' && strategy !== undefined) {
    return {
      kind: 'downtime',
      message: `the scheduling changes (scheduling_strategy ${JSON.stringify(strategy.before)} -> ${JSON.stringify(strategy.after)}): ECS cannot change it in place, so every copy of the service is deleted and created again, the copies together (brief outage until the new tasks run)`,
    };
  }
  if (planned >= 2) return undefined;
  if (change.type === 'aws_ecs_service' && change.kind === 'update' && change.diffs.some((d) => d.path === 'task_definition'))
    return { kind: 'downtime', message: 'the service rolls to a new task definition: its one task stops before the new one starts' };
  if (change.kind === 'replace') return { kind: 'downtime', message: DOWNTIME_ON_REPLACE[change.type] ?? 'replaced' };
  if (change.type === 'aws_ecs_service' && change.kind === 'delete' && planned === 0 && name !== undefined)
    return { kind: 'downtime', message: `removes the last copy of ${copyGroup(name)}: nothing serves it any more` };
  return undefined;
}

/** What a DNS record answers: its addresses, or the name it is an alias of. */
function recordTarget(values: Record<string, unknown>): string {
  const alias = Array.isArray(values.alias) ? values.alias[0] : undefined;
  if (isRecord(alias)) return `an alias of ${typeof alias.name === 'string' ? alias.name : '(known after apply)'}`;
  return Array.isArray(values.records) ? values.records.map(str).join(', ') : '(unknown)';
}

/**
 * The platform's public address moving: the Elastic IP released (moving to a fleet, or a rebuild),
 * or the domain's record pointing elsewhere. Clients and resolvers hold the old answer (up to the
 * record's TTL), and the old address stops answering once it is released: attention and downtime.
 */
function addressFlag(
  change: Omit<ReviewedChange, 'flags'>,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): RiskFlag | undefined {
  if (change.type === 'aws_eip' && change.kind === 'delete') {
    const ip = typeof before.public_ip === 'string' ? ` ${before.public_ip}` : '';
    return {
      kind: 'downtime',
      message: `releases the Elastic IP${ip}: the platform's public address changes (a fleet is reached through its load balancer's name), and clients or records still holding the address reach nothing`,
    };
  }
  if (change.type !== 'aws_route53_record') return undefined;
  const moved = change.diffs.some((d) => /^(records|alias|type|name)(\.|$)/.test(d.path));
  if ((change.kind === 'update' || change.kind === 'replace') && moved) {
    const ttl = typeof before.ttl === 'number' ? `up to its TTL (${before.ttl} s)` : 'until their cache expires';
    return {
      kind: 'downtime',
      message: `the domain moves (${recordTarget(before)} -> ${recordTarget(after)}): resolvers keep the old answer ${ttl}, and the old target must keep serving until then`,
    };
  }
  if (change.kind === 'delete') return { kind: 'downtime', message: `the domain ${str(before.name ?? '')} stops resolving` };
  return undefined;
}

/** The risk flags of one change: downtime from replacements, security-relevant resources, lost data. */
export function assessRisk(
  change: Omit<ReviewedChange, 'flags'>,
  after: unknown,
  copies: CopyCounts = ONE_COPY,
  before: unknown = null,
): RiskFlag[] {
  const a = isRecord(after) ? after : {};
  const flags: RiskFlag[] = [];
  const ecs = change.type === 'aws_ecs_service' || change.type === 'aws_ecs_task_definition';
  const downtime = DOWNTIME_ON_REPLACE[change.type];
  if (!ecs && downtime && change.kind === 'replace') flags.push({ kind: 'downtime', message: downtime });
  const ecsFlag = ecsDowntime(change, isRecord(after) ? a : isRecord(before) ? before : {}, copies);
  if (ecsFlag) flags.push(ecsFlag);
  const roll = instanceRefreshFlag(change, a);
  if (roll) flags.push(roll);
  const address = addressFlag(change, isRecord(before) ? before : {}, a);
  if (address) flags.push(address);
  if (change.type === 'aws_efs_file_system' && change.kind === 'delete') {
    flags.push({ kind: 'data-loss', message: 'deletes the file system holding the ACME account and certificates' });
  }
  if (change.type === 'aws_ecr_repository' && (change.kind === 'delete' || change.kind === 'replace')) {
    flags.push({ kind: 'data-loss', message: 'deletes the repository and every image in it' });
  }
  flags.push(...securityFlags(change, a));
  return flags;
}
