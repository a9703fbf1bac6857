import { placeholder } from '../../review/placeholder';

describe('placeholder', () => {
  it.each([
    ['number', 0],
    ['bool', false],
    [['list', 'string'], []],
    [['map', 'string'], {}],
    [['object', {}], null],
  ] as const)('types a %j placeholder', (type, expected) => {
    expect(placeholder(type as never, 'aws_vpc', 'aws_vpc.v', 'x', 'eu-west-1')).toEqual(expected);
  });
  it('numbers a launch template version 1, as AWS numbers the first one', () => {
    expect(placeholder('number', 'aws_launch_template', 'aws_launch_template.t', 'latest_version', 'eu-west-1')).toBe(1);
    expect(placeholder('number', 'aws_launch_template', 'aws_launch_template.t', 'default_version', 'eu-west-1')).toBe(1);
  });
  it('makes ids, ARNs and addresses that read like AWS ones, the same every time', () => {
    expect(placeholder('string', 'aws_vpc', 'aws_vpc.v', 'id', 'eu-west-1')).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(placeholder('string', 'aws_vpc', 'aws_vpc.v', 'id', 'eu-west-1')).toBe(
      placeholder('string', 'aws_vpc', 'aws_vpc.v', 'id', 'eu-west-1'),
    );
    expect(placeholder('string', 'aws_vpc', 'aws_vpc.w', 'id', 'eu-west-1')).not.toBe(
      placeholder('string', 'aws_vpc', 'aws_vpc.v', 'id', 'eu-west-1'),
    );
    expect(placeholder('string', 'aws_ecs_cluster', 'aws_ecs_cluster.c', 'arn', 'eu-west-1')).toMatch(
      /^arn:aws:ecs:eu-west-1:123456789012:ecs_cluster\/[0-9a-f]+$/,
    );
    expect(placeholder('string', 'aws_eip', 'aws_eip.e', 'public_ip', 'eu-west-1')).toMatch(/^198\.51\.100\.\d+$/);
  });
});
