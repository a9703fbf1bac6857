import { attributeDiffs, reviewChanges } from '../../review/changes';
import { assessRisk } from '../../review/risk';
import { renderPolicies, renderStackReview } from '../../review/markdown';
import { PlanJson, ResourceChange, changeKind } from '../../review/plan-json';

const change = (
  type: string,
  actions: ResourceChange['change']['actions'],
  before: unknown,
  after: unknown,
  extra: Partial<ResourceChange['change']> = {},
): ResourceChange => ({
  address: `${type}.x`,
  mode: 'managed',
  type,
  name: 'x',
  change: { actions, before, after, ...extra },
});

describe('changeKind', () => {
  it.each([
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
    [['no-op'], 'no-op'],
  ] as const)('%j is %s', (actions, kind) => expect(changeKind(actions)).toBe(kind));
  it('refuses an action list Terraform does not write', () =>
    expect(() => changeKind(['update', 'update'])).toThrow(/unknown plan action list/));
});

describe('attributeDiffs', () => {
  it('descends into blocks, marks what forces replacement and skips tags_all', () => {
    const diffs = attributeDiffs(
      change(
        'aws_vpc',
        ['delete', 'create'],
        { cidr_block: 'a', tags_all: { x: '1' }, meta: [{ hop: 1 }], id: 'vpc-1' },
        { cidr_block: 'b', tags_all: { x: '2' }, meta: [{ hop: 2 }] },
        { after_unknown: { id: true }, replace_paths: [['cidr_block']] },
      ),
    );
    expect(diffs).toEqual([
      { path: 'cidr_block', before: 'a', after: 'b', forcesReplacement: true },
      { path: 'meta.0.hop', before: 1, after: 2, forcesReplacement: false },
      { path: 'id', before: 'vpc-1', after: '(known after apply)', forcesReplacement: false },
    ]);
  });
});

describe('assessRisk', () => {
  const risk = (type: string, kind: 'create' | 'update' | 'replace' | 'delete', after: unknown = {}, diffs: { path: string }[] = []) =>
    assessRisk(
      { address: `${type}.x`, type, kind, diffs: diffs.map((d) => ({ ...d, before: 1, after: 2, forcesReplacement: false })) },
      after,
    );

  it.each([
    ['aws_ecs_cluster', 'replace', 'downtime'],
    ['aws_eip', 'replace', 'downtime'],
    ['aws_efs_file_system', 'replace', 'downtime'],
    ['aws_efs_file_system', 'delete', 'data-loss'],
    ['aws_ecr_repository', 'delete', 'data-loss'],
    ['aws_iam_role_policy', 'update', 'security'],
    ['aws_security_group', 'update', 'security'],
    ['aws_eip', 'create', 'security'],
  ] as const)('%s %s is flagged as %s', (type, kind, flag) => {
    expect(risk(type, kind).map((f) => f.kind)).toContain(flag);
  });

  it('leaves a harmless change unflagged', () => expect(risk('aws_cloudwatch_log_group', 'update')).toEqual([]));

  it('calls out a world-open non-web port, not a web one', () => {
    expect(risk('aws_vpc_security_group_ingress_rule', 'create', { cidr_ipv4: '0.0.0.0/0', from_port: 22, to_port: 22 })).toEqual([
      { kind: 'security', message: 'opens port 22 to the whole internet (0.0.0.0/0)' },
    ]);
    expect(risk('aws_vpc_security_group_ingress_rule', 'create', { cidr_ipv4: '0.0.0.0/0', from_port: 443, to_port: 443 })).toEqual([]);
    expect(risk('aws_vpc_security_group_ingress_rule', 'delete', { cidr_ipv4: '0.0.0.0/0', from_port: 443, to_port: 443 })).toEqual([
      { kind: 'security', message: 'removes ingress rule' },
    ]);
  });

  it('leaves an ordinary create unflagged, but not an IAM wildcard or a public address', () => {
    const doc = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
    expect(risk('aws_security_group', 'create')).toEqual([]);
    expect(
      risk('aws_iam_role_policy', 'create', { policy: doc({ Effect: 'Allow', Action: ['ecs:DescribeTasks'], Resource: '*' }) }),
    ).toEqual([]);
    expect(
      risk('aws_iam_role_policy', 'create', { policy: doc({ Effect: 'Allow', Action: ['s3:*', 'ec2:Describe*'], Resource: '*' }) }),
    ).toEqual([{ kind: 'security', message: 'allows every action of s3:* (IAM wildcard)' }]);
    expect(
      risk('aws_iam_role', 'create', { assume_role_policy: doc({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }) }),
    ).toEqual([{ kind: 'security', message: 'trusts any principal (IAM wildcard)' }]);
    expect(risk('aws_iam_role_policy_attachment', 'create', { policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' })).toEqual([
      { kind: 'security', message: 'attaches arn:aws:iam::aws:policy/AdministratorAccess' },
    ]);
    expect(risk('aws_eip', 'create')).toEqual([{ kind: 'security', message: 'adds public address' }]);
  });

  it('rolls the only instance when the group moves to a new launch template version with an instance refresh configured', () => {
    const refresh = { instance_refresh: [{ strategy: 'Rolling' }] };
    expect(risk('aws_autoscaling_group', 'update', refresh, [{ path: 'launch_template.0.version' }])).toEqual([
      {
        kind: 'downtime',
        message: expect.stringMatching(
          /^the group's launch template changes \(launch_template\.0\.version: 1 → 2\) and its instance refresh replaces the only instance/,
        ),
      },
    ]);
    expect(risk('aws_autoscaling_group', 'update', refresh, [{ path: 'launch_template.0.id' }]).map((f) => f.kind)).toEqual(['downtime']);
  });

  it('does not assume a roll from a launch template change alone, nor from a group without an instance refresh', () => {
    expect(risk('aws_launch_template', 'update', {}, [{ path: 'instance_type' }])).toEqual([]);
    expect(risk('aws_launch_template', 'replace', {}, [{ path: 'name' }])).toEqual([]);
    expect(risk('aws_autoscaling_group', 'update', { instance_refresh: [] }, [{ path: 'launch_template.0.version' }])).toEqual([]);
    expect(risk('aws_autoscaling_group', 'update', { instance_refresh: [{}] }, [{ path: 'max_size' }])).toEqual([]);
  });

  it("does not call a fleet's rolling refresh an outage: N - 1 of N serve while one rolls", () => {
    const fleet = { desired_capacity: 3, instance_refresh: [{ strategy: 'Rolling', preferences: [{ min_healthy_percentage: 66 }] }] };
    expect(risk('aws_autoscaling_group', 'update', fleet, [{ path: 'launch_template.0.version' }])).toEqual([]);
    const emptied = { ...fleet, instance_refresh: [{ strategy: 'Rolling', preferences: [{ min_healthy_percentage: 0 }] }] };
    expect(risk('aws_autoscaling_group', 'update', emptied, [{ path: 'launch_template.0.version' }]).map((f) => f.kind)).toEqual([
      'downtime',
    ]);
  });
});

describe('assessRisk: the load balancer, the address and the DNS record', () => {
  const risk = (
    type: string,
    kind: 'create' | 'update' | 'replace' | 'delete',
    after: unknown,
    before: unknown = null,
    diffs: { path: string }[] = [],
  ) =>
    assessRisk(
      { address: `${type}.x`, type, kind, diffs: diffs.map((d) => ({ ...d, before: 1, after: 2, forcesReplacement: false })) },
      after,
      undefined,
      before,
    );

  it.each([
    [
      { internal: false, load_balancer_type: 'network' },
      [{ kind: 'security', message: expect.stringMatching(/^adds an internet-facing network load balancer/) }],
    ],
    [{ internal: true, load_balancer_type: 'network' }, []],
  ])('a new balancer %j: flagged only when internet-facing', (after, flags) => {
    expect(risk('aws_lb', 'create', after)).toEqual(flags);
  });

  it.each([
    [80, 'TCP', []],
    [443, 'TCP', []],
    [8080, 'TCP', ['security']],
    [443, 'TLS', ['security']],
    [22, 'TCP', ['security']],
  ] as const)('a listener on %i/%s: %j', (port, protocol, kinds) => {
    expect(risk('aws_lb_listener', 'create', { port, protocol }).map((f) => f.kind)).toEqual(kinds);
  });

  it.each(['aws_lb', 'aws_lb_listener', 'aws_lb_target_group'])('%s replaced is downtime', (type) => {
    expect(risk(type, 'replace', { internal: false, port: 80, protocol: 'TCP' }, {}).map((f) => f.kind)).toContain('downtime');
  });

  it('the Elastic IP released: the public address changes (downtime), named', () => {
    expect(risk('aws_eip', 'delete', null, { public_ip: '203.0.113.10' })).toContainEqual({
      kind: 'downtime',
      message: expect.stringMatching(/^releases the Elastic IP 203\.0\.113\.10: the platform's public address changes/),
    });
  });

  it('the record moving to an alias, or going: downtime; a tag on it: not', () => {
    const before = { name: 'app.example.com', records: ['203.0.113.10'], ttl: 300 };
    const after = { name: 'app.example.com', alias: [{ name: 'platform-dev-1.elb.eu-west-1.amazonaws.com' }] };
    expect(risk('aws_route53_record', 'update', after, before, [{ path: 'records' }, { path: 'alias' }])).toContainEqual({
      kind: 'downtime',
      message:
        'the domain moves (203.0.113.10 -> an alias of platform-dev-1.elb.eu-west-1.amazonaws.com): resolvers keep the old answer up to its TTL (300 s), and the old target must keep serving until then',
    });
    expect(risk('aws_route53_record', 'delete', null, before)).toContainEqual({
      kind: 'downtime',
      message: 'the domain app.example.com stops resolving',
    });
    expect(risk('aws_route53_record', 'update', before, before, [{ path: 'tags' }]).map((f) => f.kind)).toEqual(['security']);
  });
});

describe('renderStackReview', () => {
  const plan: PlanJson = {
    terraform_version: '1.11.4',
    planned_values: { root_module: { resources: [] } },
    resource_changes: [
      change('aws_ecs_cluster', ['delete', 'create'], { name: 'a' }, { name: 'b' }, { replace_paths: [['name']] }),
      change('aws_cloudwatch_log_group', ['create'], null, { name: 'g' }),
      change('aws_vpc', ['no-op'], {}, {}),
    ],
  };
  const md = renderStackReview({ stack: 'dev', mode: 'what-if', changes: reviewChanges(plan) }, 'main');

  it('says which resources the base state is not proven for, and marks them', () => {
    const text = renderStackReview(
      { stack: 'dev', mode: 'what-if', changes: reviewChanges(plan), unvouched: ['aws_ecs_cluster.x'] },
      'main',
    );
    expect(text).toContain(
      '⚠️ **The base state is not proven for 1 resource**: planning `main` against its synthetic state still changes `aws_ecs_cluster.x`.',
    );
    expect(text).toContain('- `aws_ecs_cluster.x` — replaced because of `name` (not vouched for: see above)');
    expect(md).not.toContain('not proven');
  });

  it('counts ordinary creates by type and lists a risky create on its own', () => {
    const creates: PlanJson = {
      ...plan,
      resource_changes: [
        change('aws_subnet', ['create'], null, {}),
        { ...change('aws_subnet', ['create'], null, {}), address: 'aws_subnet.y' },
        change('aws_vpc_security_group_ingress_rule', ['create'], null, { cidr_ipv4: '0.0.0.0/0', from_port: 22, to_port: 22 }),
        change('aws_security_group', ['create'], null, {}),
      ],
    };
    const text = renderStackReview({ stack: 'dev', mode: 'what-if', changes: reviewChanges(creates) }, 'main');
    expect(text).toContain('### Add (4)\n\n- 1 × `aws_security_group`\n- 2 × `aws_subnet`\n- `aws_vpc_security_group_ingress_rule.x`\n');
    expect(text).toContain('🟠 security `aws_vpc_security_group_ingress_rule.x`: opens port 22 to the whole internet');
    expect(text).not.toContain('aws_subnet.y');
  });

  it('counts, then risks, then grouped changes with collapsed diffs', () => {
    expect(md).toContain('**1 to add, 0 to change, 1 to replace, 0 to destroy**');
    expect(md).toMatch(/### Risks\n\n- 🔴 downtime `aws_ecs_cluster\.x`: every service and task is recreated/);
    expect(md).toContain('- `aws_ecs_cluster.x` — replaced because of `name`');
    expect(md).toContain('<details><summary>1 attribute</summary>');
    expect(md).toContain('| `name` (forces replacement) | `a` | `b` |');
    expect(md.indexOf('### Replace')).toBeLessThan(md.indexOf('### Add'));
    expect(md).toContain('### Add (1)\n\n- 1 × `aws_cloudwatch_log_group`\n');
    expect(md).not.toContain('aws_vpc');
  });

  it('shows the policy once for every stack: a line each, violations with their stack, suppressions once', () => {
    const suppressed = [{ rule: 'ecr-immutable-tags', reason: 'latest is retagged' }];
    const text = renderPolicies(
      new Map([
        ['dev', { rules: 24, failures: [{ rule: 'ssh-not-open-to-world', resource: 'sg', message: 'open', warning: false }], suppressed }],
        ['prod', { rules: 24, failures: [], suppressed }],
      ]),
    );
    expect(text.match(/## Policy/g)).toHaveLength(1);
    expect(text).toContain('- `dev`: ❌ 1 violation of 24 rules\n- `prod`: ✅ 24 rules pass (1 suppressed)');
    expect(text).toContain('- **ssh-not-open-to-world** `dev` `sg`: open');
    expect(text.match(/latest is retagged/g)).toHaveLength(1);
    expect(renderStackReview({ stack: 'dev', mode: 'what-if', changes: [] }, 'main')).not.toContain('Policy');
  });
});

describe('copies of a service (one ECS service per copy)', () => {
  const svc = (
    name: string,
    actions: ResourceChange['change']['actions'],
    taskBefore: string,
    taskAfter: string | null,
  ): ResourceChange => ({
    address: `aws_ecs_service.${name}`,
    mode: 'managed',
    type: 'aws_ecs_service',
    name,
    change: {
      actions,
      before: { name: `platform-dev-${name}`, task_definition: taskBefore },
      after: taskAfter === null ? null : { name: `platform-dev-${name}`, task_definition: taskAfter },
    },
  });
  const task = (family: string, before: Record<string, unknown>, after: Record<string, unknown>): ResourceChange => ({
    address: `aws_ecs_task_definition.${family}`,
    mode: 'managed',
    type: 'aws_ecs_task_definition',
    name: family,
    change: {
      actions: ['delete', 'create'],
      before: { family: `platform-dev-${family}`, ...before },
      after: { family: `platform-dev-${family}`, ...after },
      replace_paths: Object.keys(after).map((k) => [k]),
    },
  });
  const plan = (...changes: ResourceChange[]): PlanJson => ({ resource_changes: changes }) as PlanJson;
  const flagsOf = (changes: ReturnType<typeof reviewChanges>) =>
    Object.fromEntries(changes.map((c) => [c.address, c.flags.map((f) => f.message)]));

  it('a new image rolling over two copies is no downtime; over the only copy it is', () => {
    const rolled = reviewChanges(
      plan(
        svc('api', ['update'], 'arn:1', 'arn:2'),
        svc('api-2', ['update'], 'arn:1', 'arn:2'),
        task('api', { container_definitions: 'a' }, { container_definitions: 'b' }),
        task('api-2', { container_definitions: 'a' }, { container_definitions: 'b' }),
        svc('proxy', ['update'], 'arn:1', 'arn:2'),
        task('proxy', { container_definitions: 'a' }, { container_definitions: 'b' }),
      ),
    );
    expect(flagsOf(rolled)).toEqual({
      'aws_ecs_service.api': [],
      'aws_ecs_service.api-2': [],
      'aws_ecs_task_definition.api': [],
      'aws_ecs_task_definition.api-2': [],
      'aws_ecs_service.proxy': ['the service rolls to a new task definition: its one task stops before the new one starts'],
      'aws_ecs_task_definition.proxy': [
        'a new task definition revision: the service restarts its task (its only copy, fixed ports: brief outage)',
      ],
    });
  });

  it('adding a copy is no downtime, removing one of two neither, removing the last one is', () => {
    const added = reviewChanges(plan(svc('api-2', ['create'], '', 'arn:1'), { ...svc('api', ['no-op'], 'arn:1', 'arn:1') }));
    expect(added.flatMap((c) => c.flags)).toEqual([]);
    const removed = reviewChanges(plan(svc('api-2', ['delete'], 'arn:1', null), svc('api', ['no-op'], 'arn:1', 'arn:1')));
    expect(removed.flatMap((c) => c.flags)).toEqual([]);
    const last = reviewChanges(plan(svc('api', ['delete'], 'arn:1', null)));
    expect(last.flatMap((c) => c.flags.map((f) => f.message))).toEqual([
      'removes the last copy of platform-dev-api: nothing serves it any more',
    ]);
  });

  it('a change of the networking design is downtime, however many copies', () => {
    const moved = reviewChanges(
      plan(
        task('api', { network_mode: 'host' }, { network_mode: 'bridge' }),
        task('api-2', { network_mode: 'host' }, { network_mode: 'bridge' }),
        svc('api', ['update'], 'arn:1', 'arn:2'),
        svc('api-2', ['update'], 'arn:1', 'arn:2'),
      ),
    );
    expect(flagsOf(moved)['aws_ecs_task_definition.api']).toEqual([
      'the networking design changes (network_mode "host" -> "bridge"): every copy of the service moves to it, and the proxy\'s fixed upstreams with them',
    ]);
  });
});
