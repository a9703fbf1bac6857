import { TerraformState, configState, correctState, resolveReferences } from '../../review/synthetic-state';
import { PlanJson } from '../../review/plan-json';
import { ResourceSchemas } from '../../review/terraform-provider-schema';
import type { JsonObject } from '../../contract/json';

/** A base state as `configState` leaves it: literals as configured, placeholders for what AWS fills. */
const baseState = (): TerraformState => ({
  version: 4,
  terraform_version: '1.11.4',
  serial: 1,
  lineage: 'test',
  outputs: {},
  resources: [
    resource('aws_vpc', 'v', { cidr_block: '10.0.0.0/16', id: 'vpc-0a1b2c3d4e5f60718', arn: 'arn:aws:vpc:eu-west-1:123456789012:vpc/1' }),
    resource('aws_subnet', 's', { map_public_ip_on_launch: false, id: 'subnet-0a1b2c3d4e5f60718', vpc_id: 'placeholder-1', tags: {} }),
  ],
});

function resource(type: string, name: string, attributes: JsonObject): TerraformState['resources'][number] {
  return {
    mode: 'managed',
    type,
    name,
    provider: 'provider["registry.terraform.io/hashicorp/aws"]',
    instances: [{ schema_version: 1, attributes, sensitive_attributes: [] }],
  };
}

/** A plan of the base against the state: only its resource changes matter to `correctState`. */
const plan = (resource_changes: PlanJson['resource_changes']): PlanJson => ({
  terraform_version: '1.11.4',
  planned_values: { root_module: { resources: [] } },
  resource_changes,
});

const attrs = (state: TerraformState, address: string) =>
  state.resources.find((r) => `${r.type}.${r.name}` === address)?.instances[0].attributes ?? {};

describe('resolveReferences', () => {
  it('makes a reference equal the id it points to', () => {
    const state = baseState();
    const changed = resolveReferences(state, { resource: { aws_subnet: { s: { vpc_id: '${aws_vpc.v.id}' } }, aws_vpc: { v: {} } } });
    expect(changed).toBe(1);
    expect(attrs(state, 'aws_subnet.s').vpc_id).toBe(attrs(state, 'aws_vpc.v').id);
  });

  it('resolves text around references and jsonencode of a literal, and leaves other function calls to the correction plan', () => {
    const state = baseState();
    resolveReferences(state, {
      resource: {
        aws_subnet: {
          s: { vpc_id: 'x-${aws_vpc.v.cidr_block}', tags: { a: '${upper(aws_vpc.v.id)}', b: '${jsonencode([aws_vpc.v.id])}' } },
        },
      },
    });
    expect(attrs(state, 'aws_subnet.s').vpc_id).toBe('x-10.0.0.0/16');
    expect(attrs(state, 'aws_subnet.s').tags).toEqual({ b: '["vpc-0a1b2c3d4e5f60718"]' });
  });

  it('takes a part of an ARN (element of split) and a policy document from its configuration', () => {
    const state = baseState();
    resolveReferences(state, {
      provider: { aws: [{ region: 'eu-west-1' }] },
      data: { aws_iam_policy_document: { d: { statement: [{ actions: ['ec2:*'], resources: ['${aws_vpc.v.arn}'] }] } } },
      resource: {
        aws_subnet: {
          s: { vpc_id: 'acct-${element(split(":", aws_vpc.v.arn), 4)}', tags: { p: '${data.aws_iam_policy_document.d.json}' } },
        },
      },
    });
    expect(attrs(state, 'aws_subnet.s').vpc_id).toBe('acct-123456789012');
    const tags = attrs(state, 'aws_subnet.s').tags as Record<string, string>;
    expect(JSON.parse(tags.p)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'ec2:*', Resource: 'arn:aws:vpc:eu-west-1:123456789012:vpc/1' }],
    });
  });
});

describe('correctState', () => {
  it('takes the known values of updated resources and keeps placeholders where the plan does not know', () => {
    const state = baseState();
    const id = attrs(state, 'aws_vpc.v').id;
    const check = plan([
      {
        address: 'aws_vpc.v',
        mode: 'managed',
        type: 'aws_vpc',
        name: 'v',
        change: { actions: ['delete', 'create'], before: {}, after: { cidr_block: '10.1.0.0/16' }, after_unknown: { id: true } },
      },
      { address: 'aws_subnet.s', mode: 'managed', type: 'aws_subnet', name: 's', change: { actions: ['no-op'], before: {}, after: {} } },
    ]);
    const { state: next, corrected } = correctState(state, check);
    expect(corrected).toBe(1);
    expect(attrs(next, 'aws_vpc.v')).toMatchObject({ cidr_block: '10.1.0.0/16', id });
    expect(next.serial).toBe(state.serial + 1);
  });

  it('stops at a plan whose values for an updated resource are not an object', () => {
    const check = plan([
      { address: 'aws_vpc.v', mode: 'managed', type: 'aws_vpc', name: 'v', change: { actions: ['update'], before: {}, after: null } },
    ]);
    expect(() => correctState(baseState(), check)).toThrow(/^aws_vpc\.v: the consistency plan's "after" is not a JSON object$/);
  });
});

describe('configState', () => {
  const configSchemas: ResourceSchemas = {
    aws_vpc: {
      version: 1,
      block: {
        attributes: {
          id: { type: 'string', computed: true },
          cidr_block: { type: 'string', optional: true },
          enable_dns_support: { type: 'bool', optional: true },
          tags: { type: ['map', 'string'], optional: true },
          tags_all: { type: ['map', 'string'], optional: true, computed: true },
        },
        block_types: {},
      },
    },
    aws_launch_template: {
      version: 0,
      block: {
        attributes: {
          id: { type: 'string', computed: true },
          user_data: { type: 'string', optional: true },
          monitoring_count: { type: 'number', optional: true },
        },
        block_types: {
          network_interfaces: {
            nesting_mode: 'list',
            block: {
              attributes: {
                delete_on_termination: { type: 'string', optional: true },
                security_groups: { type: ['set', 'string'], optional: true },
              },
              block_types: {},
            },
          },
          monitoring: {
            nesting_mode: 'list',
            max_items: 1,
            block: { attributes: { enabled: { type: 'bool', optional: true } }, block_types: {} },
          },
        },
      },
    },
  };
  const config = {
    provider: { aws: [{ region: 'eu-west-1', default_tags: [{ tags: { env: 'dev' } }] }] },
    resource: {
      aws_vpc: { v: { '//': { metadata: {} }, cidr_block: '10.0.0.0/16', tags: { Name: 'x' } } },
      aws_launch_template: {
        lt: {
          user_data: '${base64encode("x")}',
          monitoring_count: '2',
          network_interfaces: [{ delete_on_termination: true, security_groups: ['${aws_vpc.v.id}'] }],
          monitoring: { enabled: 'true' },
        },
      },
    },
  };

  it('takes literals as written (typed by the schema, blocks as lists) and placeholders for what AWS fills', () => {
    const state = configState(config, configSchemas, '1.11.4');
    expect(state.terraform_version).toBe('1.11.4');
    expect(state.resources.map((r) => [`${r.type}.${r.name}`, r.instances[0].schema_version])).toEqual([
      ['aws_vpc.v', 1],
      ['aws_launch_template.lt', 0],
    ]);
    const vpc = attrs(state, 'aws_vpc.v');
    expect(vpc).toEqual({
      id: expect.stringMatching(/^vpc-/),
      cidr_block: '10.0.0.0/16',
      enable_dns_support: false,
      tags: { Name: 'x' },
      tags_all: { env: 'dev', Name: 'x' },
    });
    const lt = attrs(state, 'aws_launch_template.lt');
    expect(lt).toMatchObject({ monitoring_count: 2, user_data: 'eA==', monitoring: [{ enabled: true }] });
    // References, also inside lists, resolve to the referenced placeholder.
    expect(lt.network_interfaces).toEqual([{ delete_on_termination: 'true', security_groups: [vpc.id] }]);
  });

  it("fills what the provider would: its defaults, SDKv2's zero values inside blocks, data.aws_partition", () => {
    const schemas: ResourceSchemas = {
      aws_vpc: {
        version: 1,
        block: {
          attributes: { id: { type: 'string', computed: true }, instance_tenancy: { type: 'string', optional: true } },
          block_types: {},
        },
      },
      aws_iam_role_policy_attachment: {
        version: 0,
        block: {
          attributes: { policy_arn: { type: 'string', required: true }, description: { type: 'string', optional: true } },
          block_types: {
            limits: {
              nesting_mode: 'list',
              block: {
                attributes: {
                  name: { type: 'string', optional: true },
                  count: { type: 'number', optional: true },
                  ids: { type: ['list', 'string'], optional: true },
                  zone: { type: 'string', optional: true, computed: true },
                },
                block_types: {},
              },
            },
          },
        },
      },
    };
    const state = configState(
      {
        provider: { aws: [{ region: 'cn-north-1' }] },
        resource: {
          aws_vpc: { v: {} },
          aws_iam_role_policy_attachment: {
            a: { policy_arn: 'arn:${data.aws_partition.p.partition}:iam::aws:policy/ReadOnlyAccess', limits: [{}] },
          },
        },
      },
      schemas,
      '1.11.4',
    );
    // Left out, instance_tenancy would be null, and "default" in the plan forces the VPC's replacement.
    expect(attrs(state, 'aws_vpc.v').instance_tenancy).toBe('default');
    const attachment = attrs(state, 'aws_iam_role_policy_attachment.a');
    expect(attachment.policy_arn).toBe('arn:aws-cn:iam::aws:policy/ReadOnlyAccess');
    // Top level, an argument left out stays null; inside a block it is the zero value, computed ones a placeholder.
    expect(attachment.description).toBeNull();
    expect(attachment.limits).toEqual([{ name: '', count: 0, ids: [], zone: expect.stringMatching(/^placeholder-/) }]);
  });

  it('refuses resource types the schema does not know', () => {
    expect(() => configState({ resource: { aws_nope: { n: {} } } }, configSchemas, '1.11.4')).toThrow(
      /no provider schema for resource type aws_nope/,
    );
  });
});
