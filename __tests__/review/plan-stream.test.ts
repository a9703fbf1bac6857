import { z } from 'zod';
import { parseJson } from '../../review/parse-json';
import { streamShowsChanges } from '../../review/plan-stream';

const line = (message: object) => JSON.stringify({ '@level': 'info', '@message': 'x', ...message });
const summary = (changes: object) =>
  line({ type: 'change_summary', changes: { add: 0, change: 0, import: 0, remove: 0, operation: 'plan', ...changes } });
const planned = (action: string, addr: string) =>
  line({ type: 'planned_change', change: { resource: { addr, resource_type: 'aws_vpc' }, action } });

describe('streamShowsChanges', () => {
  it('reads an empty summary (with its string operation) as no change', () => {
    expect(streamShowsChanges([line({ type: 'version', terraform: '1.11.4' }), summary({})].join('\n'), 'test')).toBe(false);
  });

  it('counts planned changes of managed resources, not no-ops or data source reads', () => {
    expect(streamShowsChanges([planned('noop', 'aws_vpc.v'), planned('read', 'data.aws_x.y'), summary({})].join('\n'), 'test')).toBe(false);
    expect(streamShowsChanges([planned('update', 'aws_vpc.v'), summary({})].join('\n'), 'test')).toBe(true);
    expect(streamShowsChanges(summary({ import: 1 }), 'test')).toBe(true);
  });

  it('counts a stream without a summary as a change, and skips lines that are not JSON objects', () => {
    expect(streamShowsChanges('Terraform will perform the following actions:\n', 'test')).toBe(true);
  });

  it('names the source and the field when a message has a shape it does not know', () => {
    expect(() => streamShowsChanges(summary({ add: 'one' }), 'terraform plan -json in /x')).toThrow(
      /^terraform plan -json in \/x: unexpected plan progress message at changes\.add: /,
    );
  });
});

describe('parseJson', () => {
  it('names the top level when the whole document is of the wrong kind', () => {
    expect(() => parseJson(z.looseObject({ app: z.string() }), '[]', 'cdktf.json', 'cdktf.json')).toThrow(
      /^cdktf\.json: unexpected cdktf\.json at the top level: /,
    );
  });
});
