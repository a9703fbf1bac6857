import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidOutputsError } from '../../chaos/errors';
import { blastRadiusViolation, type TargetRef } from '../../chaos/targets/blast-radius';
import { findOutputsFile, loadOutputs } from '../../chaos/targets/outputs-discovery';
import { parseOutputs } from '../../chaos/targets/outputs-reader';
import { outputsFor } from './helpers/outputs-fixture';

const plain = outputsFor('http://127.0.0.1:8000');
const terraform = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, { value: v, type: 'string', sensitive: false }]));

describe('outputs reader: accepted formats', () => {
  it.each([
    ['the plain object', plain, undefined, 'plain', null],
    ['cdktf --outputs-file with one stack', { 'platform-test': plain }, undefined, 'cdktf', 'platform-test'],
    ['cdktf --outputs-file, stack chosen', { 'platform-test': plain, 'platform-prod': plain }, 'platform-prod', 'cdktf', 'platform-prod'],
    ['terraform output -json', terraform, undefined, 'terraform', null],
    ['cdktf file holding terraform-shaped outputs', { s: terraform }, undefined, 'cdktf', 's'],
  ])('GIVEN %s WHEN parsed THEN it yields PlatformOutputs', (_name, doc, stack, format, chosen) => {
    const loaded = parseOutputs(JSON.stringify(doc), 'outputs.json', stack);
    expect(loaded.format).toBe(format);
    expect(loaded.stack).toBe(chosen);
    expect(loaded.outputs).toEqual(plain);
  });
});

describe('outputs reader: refused with a message naming file, key and expectation', () => {
  const without = (key: string) => Object.fromEntries(Object.entries(plain).filter(([k]) => k !== key));
  it.each([
    ['not JSON', '{ "a": ', /^outputs\.json: is not valid JSON/],
    ['a list', '[1, 2]', /expected a JSON object of stack outputs/],
    ['a missing key', JSON.stringify(without('clusterName')), /^outputs\.json: clusterName: is required/],
    ['a wrong type', JSON.stringify({ ...plain, sshPort: '22' }), /^outputs\.json: sshPort: expected a number, got "22"/],
    [
      'a bad nested value',
      JSON.stringify({ ...plain, services: { ...plain.services, api: { ...plain.services.api, port: 0 } } }),
      /services\.api\.port: expected at least 1/,
    ],
    ['an unknown key', JSON.stringify({ ...plain, extra: 1 }), /^outputs\.json: extra: is not a known key/],
    [
      'several stacks and no --stack',
      JSON.stringify({ a: plain, b: plain }),
      /holds outputs of 2 stacks \(a, b\); choose one with --stack <name>/,
    ],
    ['an unknown --stack', JSON.stringify({ a: plain }), /has no stack "zzz" \(stacks: a\)/],
    [
      'a bad value in a cdktf stack',
      JSON.stringify({ s: { ...plain, target: 'gcp' } }),
      /^outputs\.json: s\.target: expected one of "aws", "local", got "gcp"/,
    ],
    [
      'a bad value in terraform format',
      JSON.stringify({ ...terraform, region: { value: 3 } }),
      /^outputs\.json: region\.value: expected a string, got 3/,
    ],
  ])('GIVEN %s THEN InvalidOutputsError', (_name, text, message) => {
    const parse = () => parseOutputs(text, 'outputs.json', _name === 'an unknown --stack' ? 'zzz' : undefined);
    expect(parse).toThrow(InvalidOutputsError);
    expect(parse).toThrow(message);
  });
});

describe('outputs discovery', () => {
  it('GIVEN no --outputs THEN outputs.json is preferred, then .rehearsal/outputs.json, else none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-outputs-'));
    expect(await findOutputsFile({ cwd: dir })).toBeNull();
    await mkdir(join(dir, '.rehearsal'));
    await writeFile(join(dir, '.rehearsal', 'outputs.json'), JSON.stringify(plain));
    expect(await findOutputsFile({ cwd: dir })).toBe('.rehearsal/outputs.json');
    await writeFile(join(dir, 'outputs.json'), JSON.stringify({ s: plain }));
    const loaded = await loadOutputs({ cwd: dir });
    expect(loaded?.file).toBe('outputs.json');
    expect(loaded?.stack).toBe('s');
    expect(await findOutputsFile({ cwd: dir, file: 'elsewhere.json' })).toBe('elsewhere.json');
    await expect(loadOutputs({ cwd: dir, file: 'missing.json' })).rejects.toThrow(/^missing\.json: no such file$/);
  });
});

describe('blast radius: a fault may only target what the outputs name', () => {
  it.each<[TargetRef, RegExp | null]>([
    [{ kind: 'service', service: 'api' }, null],
    [{ kind: 'service', service: 'platform-test-proxy' }, null],
    [{ kind: 'service', service: 'payments' }, /service "payments" is not named in the outputs/],
    [{ kind: 'container', container: 'frontend' }, null],
    [{ kind: 'container', container: 'db' }, /container "db"/],
    [{ kind: 'cluster', cluster: plain.clusterArn }, null],
    [{ kind: 'cluster', cluster: 'other' }, /cluster "other" is not the outputs' cluster/],
    [{ kind: 'asg', asg: 'platform-test-asg' }, null],
    [{ kind: 'asg', asg: 'prod-asg' }, /Auto Scaling group "prod-asg"/],
    [{ kind: 'instance', instanceId: 'i-1', asg: 'platform-test-asg' }, null],
    [{ kind: 'instance', instanceId: 'i-2', asg: 'other' }, /instance i-2 belongs to "other"/],
    [{ kind: 'host', host: '127.0.0.1' }, null],
    [{ kind: 'host', host: '10.0.0.9' }, /host "10\.0\.0\.9"/],
  ])('%o', (target, violation) => {
    const found = blastRadiusViolation(target, plain);
    if (violation === null) expect(found).toBeNull();
    else expect(found).toMatch(violation);
  });
});
