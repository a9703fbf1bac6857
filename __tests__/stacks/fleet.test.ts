/**
 * instanceCount: 1 is today's stack, byte for byte; N > 1 is N instances over both zones behind a
 * network load balancer, every service an ECS DAEMON (README, "More than one instance").
 */
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { awsOutputsSchema } from '../../contract/outputs';
import { PROXY_READINESS_PATH } from '../../contract/services';
import { EnvironmentConfigInput, MAX_INSTANCE_COUNT } from '../../stacks/config';
import { DAEMON_MINIMUM_HEALTHY_PERCENT } from '../../stacks/platform-service';
import { environment, resourcesOf, synthPlatform, TerraformJson } from './support';

const WITH_DOMAIN: Partial<EnvironmentConfigInput> = {
  domain: 'app.example.com',
  acmeEmail: 'ops@example.com',
  hostedZoneId: 'Z0123456789ABC',
  sshCidrs: ['203.0.113.7/32'],
};

/** The resource of a type whose Terraform name starts with `prefix` (one expected). */
function only(tf: TerraformJson, type: string, prefix: string): Record<string, unknown> {
  const matches = Object.entries(tf.resource[type] ?? {}).filter(([name]) => name.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${matches.length}`);
  return matches[0][1];
}

describe('instanceCount 1: exactly the stack from before instanceCount', () => {
  test.each([
    ['the default environment', {}],
    ['a domain, a hosted zone and SSH', WITH_DOMAIN],
  ])('%s synthesizes the same JSON with and without an explicit instanceCount: 1', (_what, overrides) => {
    const implicit = synthPlatform(overrides).json;
    const explicit = synthPlatform({ ...overrides, instanceCount: 1 }).json;
    expect(explicit).toBe(implicit);
    // And it is today's shape: the Elastic IP, no balancer, services placed by the capacity provider.
    const tf = JSON.parse(implicit) as TerraformJson;
    expect(resourcesOf(tf, 'aws_eip')).toHaveLength(1);
    expect(resourcesOf(tf, 'aws_lb')).toHaveLength(0);
    expect(resourcesOf(tf, 'aws_ecs_service').every((s) => s.scheduling_strategy === undefined && s.desired_count === 1)).toBe(true);
    expect(Object.keys(tf.output)).toContain('publicIp');
    expect(Object.keys(tf.output)).not.toContain('loadBalancerDnsName');
  });
});

describe('instanceCount 3 (GIVEN a fleet, WHEN synthesized, THEN)', () => {
  const { json, tf } = synthPlatform({ ...WITH_DOMAIN, instanceCount: 3 });

  test('the group keeps exactly 3 instances over both subnets, registered with both target groups', () => {
    const group = only(tf, 'aws_autoscaling_group', 'cluster_group');
    expect(group).toMatchObject({ min_size: 3, max_size: 3, desired_capacity: 3, health_check_type: 'EC2' });
    expect(group.vpc_zone_identifier).toEqual([
      expect.stringMatching(/aws_subnet\.network_public-0_.*\.id/),
      expect.stringMatching(/aws_subnet\.network_public-1_.*\.id/),
    ]);
    expect(group.target_group_arns).toEqual([
      expect.stringMatching(/aws_lb_target_group\.load-balancer_http-targets_.*\.arn/),
      expect.stringMatching(/aws_lb_target_group\.load-balancer_https-targets_.*\.arn/),
    ]);
    // A new launch template rolls one instance at a time: 2 of 3 stay in service.
    expect(group.instance_refresh).toMatchObject({ preferences: { min_healthy_percentage: 66 } });
  });

  test('no Elastic IP, no boot-time association, no permission for one', () => {
    expect(resourcesOf(tf, 'aws_eip')).toHaveLength(0);
    expect(Object.keys(tf.resource.aws_iam_role_policy ?? {}).some((n) => n.includes('elastic-ip'))).toBe(false);
    const template = only(tf, 'aws_launch_template', 'cluster_launch-template');
    expect(String(template.user_data)).not.toContain('associate-address');
  });

  test('an internet-facing network load balancer in both public subnets, cross-zone, with its own security group', () => {
    expect(json).toHaveResourceWithProperties(Lb, {
      name: 'platform-test',
      load_balancer_type: 'network',
      internal: false,
      enable_cross_zone_load_balancing: true,
      security_groups: [expect.stringMatching(/aws_security_group\.security-groups_load-balancer_.*\.id/)],
      subnets: [expect.stringMatching(/network_public-0/), expect.stringMatching(/network_public-1/)],
    });
  });

  test.each([80, 443])('a TCP listener on %i passes through to a TCP target group of instances on the same port', (port) => {
    const rid = port === 80 ? 'http' : 'https';
    expect(json).toHaveResourceWithProperties(LbListener, {
      port,
      protocol: 'TCP',
      default_action: [{ type: 'forward', target_group_arn: expect.stringMatching(new RegExp(`load-balancer_${rid}-targets_`)) }],
    });
    expect(json).toHaveResourceWithProperties(LbTargetGroup, {
      port,
      protocol: 'TCP',
      target_type: 'instance',
      // Deep: HTTP on port 80 to the proxy's readiness, which only an answering API copy makes 200.
      health_check: expect.objectContaining({ protocol: 'HTTP', port: '80', path: PROXY_READINESS_PATH, matcher: '200' }),
    });
    expect(resourcesOf(tf, 'aws_lb_listener')).toHaveLength(2);
  });

  test('every service copy is an ECS DAEMON on the EC2 launch type, without a count or a capacity provider', () => {
    const services = resourcesOf(tf, 'aws_ecs_service');
    expect(services.map((s) => String(s.name)).sort()).toEqual(
      ['api', 'api-2', 'frontend', 'frontend-2', 'proxy'].map((n) => `platform-test-${n}`),
    );
    for (const service of services) {
      expect(service).toMatchObject({
        scheduling_strategy: 'DAEMON',
        launch_type: 'EC2',
        deployment_minimum_healthy_percent: DAEMON_MINIMUM_HEALTHY_PERCENT,
      });
      expect(service).not.toHaveProperty('desired_count');
      expect(service).not.toHaveProperty('capacity_provider_strategy');
      expect(service).not.toHaveProperty('deployment_maximum_percent');
    }
  });

  test('the proxy still talks to the copies on its own host (its config is unchanged)', () => {
    const one = synthPlatform(WITH_DOMAIN).tf;
    const proxyTask = (t: TerraformJson) => only(t, 'aws_ecs_task_definition', 'proxy_task').container_definitions;
    expect(proxyTask(tf)).toBe(proxyTask(one));
    expect(String(proxyTask(tf))).toContain('127.0.0.1:8080 127.0.0.1:8082');
  });

  test('the DNS record is an alias of the balancer', () => {
    expect(json).toHaveResourceWithProperties(Route53Record, {
      name: 'app.example.com',
      type: 'A',
      alias: {
        name: expect.stringMatching(/aws_lb\.load-balancer_.*\.dns_name/),
        zone_id: expect.stringMatching(/aws_lb\.load-balancer_.*\.zone_id/),
        evaluate_target_health: true,
      },
    });
    const record = only(tf, 'aws_route53_record', 'dns_record');
    expect(record).not.toHaveProperty('records');
    expect(record).not.toHaveProperty('ttl');
  });

  test('the instances take 80/443 only from the balancer; the balancer takes them from anywhere and sends only there', () => {
    const ingress = resourcesOf(tf, 'aws_vpc_security_group_ingress_rule');
    const toInstances = ingress.filter((r) => String(r.security_group_id).includes('security-groups_instance_'));
    for (const port of [80, 443]) {
      const rules = toInstances.filter((r) => r.from_port === port);
      expect(rules).toHaveLength(1);
      expect(rules[0]).not.toHaveProperty('cidr_ipv4');
      expect(String(rules[0].referenced_security_group_id)).toMatch(/security-groups_load-balancer_/);
      expect(json).toHaveResourceWithProperties(VpcSecurityGroupIngressRule, {
        security_group_id: expect.stringMatching(/security-groups_load-balancer_/),
        from_port: port,
        to_port: port,
        cidr_ipv4: '0.0.0.0/0',
      });
      expect(json).toHaveResourceWithProperties(VpcSecurityGroupEgressRule, {
        security_group_id: expect.stringMatching(/security-groups_load-balancer_/),
        from_port: port,
        to_port: port,
        referenced_security_group_id: expect.stringMatching(/security-groups_instance_/),
      });
    }
    // SSH stays what the config opened, on the instances themselves.
    expect(toInstances.filter((r) => r.from_port === 22).map((r) => r.cidr_ipv4)).toEqual(['203.0.113.7/32']);
    const balancerRules = [...ingress, ...resourcesOf(tf, 'aws_vpc_security_group_egress_rule')].filter((r) =>
      String(r.security_group_id).includes('security-groups_load-balancer_'),
    );
    expect(balancerRules.map((r) => r.from_port).sort()).toEqual([443, 443, 80, 80]);
  });

  test('outputs: no publicIp, the balancer DNS name, and the outputs contract still holds', () => {
    expect(Object.keys(tf.output)).not.toContain('publicIp');
    expect(tf.output.loadBalancerDnsName.value).toMatch(/aws_lb\.load-balancer_.*\.dns_name/);
    expect(tf.output.sshHost.value).toBe(tf.output.loadBalancerDnsName.value);
    // The balancer forwards no port 22: host faults go over SSM even with sshCidrs set.
    expect(tf.output.hostAccess.value).toBe('ssm');
    expect(tf.output.publicUrl.value).toBe('https://app.example.com');
    const noDomain = synthPlatform({ instanceCount: 2 }).tf;
    expect(noDomain.output.publicUrl.value).toMatch(/^http:\/\/\$\{aws_lb\.load-balancer_.*\.dns_name\}$/);
    // What `terraform output -json` would give once applied: the schema accepts a fleet's outputs.
    const fleetOutputs = awsOutputsSchema.safeParse({
      ...deployedOneInstanceOutputs(),
      publicIp: undefined,
      loadBalancerDnsName: 'platform-test-0123456789abcdef.elb.eu-west-1.amazonaws.com',
      sshHost: 'platform-test-0123456789abcdef.elb.eu-west-1.amazonaws.com',
      publicUrl: 'http://platform-test-0123456789abcdef.elb.eu-west-1.amazonaws.com',
    });
    expect(fleetOutputs.error?.issues).toBeUndefined();
  });
});

/** A deployed one-instance stack's outputs, as the outputs contract tests spell them. */
function deployedOneInstanceOutputs(): Record<string, unknown> {
  const service = (name: string, port: number) => ({
    serviceName: `platform-test-${name}`,
    containerName: name,
    port,
    healthPath: '/healthz',
    taskFamily: `platform-test-${name}`,
    logGroup: `/platform/test/${name}`,
  });
  return {
    target: 'aws',
    environment: 'test',
    region: 'eu-west-1',
    clusterName: 'platform-test',
    clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/platform-test',
    services: { frontend: service('frontend', 8081), api: service('api', 8080), proxy: service('proxy', 80) },
    asgName: 'platform-test',
    publicIp: '203.0.113.10',
    publicUrl: 'http://203.0.113.10',
    sshUser: 'ec2-user',
    sshHost: '203.0.113.10',
    sshPort: 22,
    hostAccess: 'ssm',
    certificateVolume: 'fs-0123456789abcdef0',
    repositoryUrls: {
      frontend: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-test-frontend',
      api: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-test-api',
      proxy: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform-test-proxy',
    },
  };
}

describe('instanceCount bounds and what a fleet cannot do', () => {
  test.each([
    [0, /instanceCount: got 0: expected a whole number of instances from 1 to 6/],
    [7, /instanceCount: got 7: expected at most 6: every instance runs the proxy and every copy/],
    [2.5, /instanceCount: got 2\.5: expected a whole number of instances from 1 to 6/],
    ['3', /instanceCount: got "3": expected a whole number of instances from 1 to 6/],
  ])('instanceCount %p is refused with one line naming the field', (value, message) => {
    expect(() => environment({ instanceCount: value as number })).toThrow(message);
    try {
      environment({ instanceCount: value as number });
    } catch (err) {
      expect(String((err as Error).message).split('\n')).toHaveLength(1);
    }
  });

  test.each([1, 2, MAX_INSTANCE_COUNT])('instanceCount %i is accepted', (n) => {
    expect(environment({ instanceCount: n }).instanceCount).toBe(n);
  });

  test('a stopped service (desiredCount 0) is refused with a fleet: a daemon has no count', () => {
    expect(() => environment({ instanceCount: 2, services: { frontend: { desiredCount: 0 } } })).toThrow(
      /services\.frontend\.desiredCount: got 0: expected 1 with instanceCount 2: every service is an ECS DAEMON/,
    );
    expect(environment({ instanceCount: 1, services: { frontend: { desiredCount: 0 } } }).services.frontend.desiredCount).toBe(0);
  });

  test('the default is 1', () => {
    expect(environment().instanceCount).toBe(1);
  });

  test('every allowed fleet size synthesizes a group of that size', () => {
    for (let n = 2; n <= MAX_INSTANCE_COUNT; n++) {
      const { json } = synthPlatform({ instanceCount: n });
      expect(json).toHaveResourceWithProperties(AutoscalingGroup, { min_size: n, max_size: n, desired_capacity: n });
    }
  });
});
