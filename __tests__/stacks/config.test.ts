import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidConfigError, LETS_ENCRYPT_STAGING, availabilityZonesOf, loadConfig, parseConfig, parseCidr } from '../../stacks/config';
import { configJsonSchema } from '../../stacks/config-schema';
import { BASE_ENV, environment } from './support';

const parseEnv = (env: Record<string, unknown>) => () => parseConfig({ environments: [{ ...BASE_ENV, ...env }] }, 'cfg.json');

describe('config defaults', () => {
  it('fills every default a new environment needs', () => {
    const env = environment();
    expect(env).toMatchObject({
      vpcCidr: '10.40.0.0/16',
      instanceType: 't3.small',
      sshCidrs: [],
      acmeDirectory: LETS_ENCRYPT_STAGING,
      imageTag: 'latest',
      logRetentionDays: 30,
      rootVolumeGiB: 30,
      services: { frontend: { desiredCount: 1, copies: 2 }, api: { desiredCount: 1, copies: 2 }, proxy: { desiredCount: 1, copies: 1 } },
      tags: {},
    });
    expect(env.domain).toBeUndefined();
    expect(availabilityZonesOf(env)).toEqual(['eu-west-1a', 'eu-west-1b']);
  });

  it('ships a default config file that validates', () => {
    const config = loadConfig('config/environments.json');
    expect(config.environments.map((e) => e.name)).toEqual(['dev', 'prod']);
  });
});

// Each rule: the bad input, and what the one-line message must name (file, field path, value, what is allowed).
describe.each([
  ['name with capitals', { name: 'Dev' }, /cfg\.json: environments\[0\]\.name: got "Dev": expected 2-20 characters/],
  ['unknown region', { region: 'europe' }, /environments\[0\]\.region: got "europe": expected an AWS region code/],
  [
    'CIDR prefix too small',
    { vpcCidr: '10.0.0.0/8' },
    /vpcCidr: got "10\.0\.0\.0\/8": expected an IPv4 CIDR block with a prefix from \/16 to \/24/,
  ],
  ['CIDR with host bits', { vpcCidr: '10.0.0.1/16' }, /vpcCidr: got "10\.0\.0\.1\/16"/],
  ['malformed CIDR', { vpcCidr: '10.0.0.0' }, /vpcCidr: got "10\.0\.0\.0"/],
  ['bad instance type', { instanceType: 'large' }, /instanceType: got "large": expected an EC2 instance type/],
  ['root volume below the AMI', { rootVolumeGiB: 8 }, /rootVolumeGiB: got 8: expected at least 30 GiB/],
  ['bad ssh CIDR', { sshCidrs: ['0.0.0.0/33'] }, /sshCidrs\[0\]: got "0\.0\.0\.0\/33": expected an IPv4 CIDR block/],
  ['empty key name', { sshKeyName: '' }, /sshKeyName: got "": expected the name of an EC2 key pair/],
  [
    'domain with a scheme',
    { domain: 'https://x.com', acmeEmail: 'a@b.co' },
    /domain: got "https:\/\/x\.com": expected a lower-case DNS name/,
  ],
  [
    'domain without an e-mail',
    { domain: 'app.example.com' },
    /acmeEmail: got nothing: required when "domain" is set \(app\.example\.com\)/,
  ],
  ['bad e-mail', { acmeEmail: 'ops' }, /acmeEmail: got "ops": expected an e-mail address/],
  [
    'plain-http ACME directory',
    { acmeDirectory: 'http://acme.test/dir' },
    /acmeDirectory: got "http:\/\/acme\.test\/dir": expected the https URL/,
  ],
  [
    'hosted zone without a domain',
    { hostedZoneId: 'Z0123456789ABC' },
    /hostedZoneId: got "Z0123456789ABC": only allowed together with "domain"/,
  ],
  [
    'malformed hosted zone',
    { hostedZoneId: 'zone', domain: 'a.example.com', acmeEmail: 'a@b.co' },
    /hostedZoneId: got "zone": expected a Route 53 hosted zone id/,
  ],
  ['image tag with a colon', { imageTag: 'v1:2' }, /imageTag: got "v1:2": expected a Docker tag/],
  [
    'two tasks in one copy service',
    { services: { api: { desiredCount: 2 } } },
    /services\.api\.desiredCount: got 2: expected 0 or 1: each copy is an ECS service of one task on its own fixed host port; set "copies" for more/,
  ],
  [
    'more copies than the service has ports',
    { services: { api: { copies: 3 } } },
    /services\.api\.copies: got 3: expected 1 to 2: each copy needs its own fixed host port, and the api has 8080, 8082/,
  ],
  [
    'a second proxy',
    { services: { proxy: { copies: 2 } } },
    /services\.proxy\.copies: got 2: expected 1: the proxy owns the instance's ports 80 and 443, so a second copy cannot bind them/,
  ],
  [
    'no copy at all',
    { services: { frontend: { copies: 0 } } },
    /services\.frontend\.copies: got 0: expected a whole number of copies from 1 to 2/,
  ],
  [
    'copies that do not fit the instance',
    { instanceType: 't3.micro', services: { api: { memoryMiB: 512 } } },
    /services: got .*: the tasks need 1280 MiB \(frontend 2 x 64, api 2 x 512, proxy 1 x 128\) but a t3\.micro registers 944 MiB for tasks: fewer copies, less memory or a larger instanceType/,
  ],
  ['negative desired count', { services: { proxy: { desiredCount: -1 } } }, /services\.proxy\.desiredCount: got -1/],
  ['tiny memory', { services: { api: { memoryMiB: 4 } } }, /services\.api\.memoryMiB: got 4: expected a whole number of MiB/],
  [
    'retention CloudWatch refuses',
    { logRetentionDays: 10 },
    /logRetentionDays: got 10: expected one of CloudWatch's retention periods: 1, 3, 5/,
  ],
  [
    'reserved tag key',
    { tags: { 'aws:owner': 'x' } },
    /tags\.aws:owner: got "aws:owner": expected tag keys of 1-128 characters, not starting with "aws:"/,
  ],
  [
    'zone of another region',
    { availabilityZones: ['eu-west-1a', 'us-east-1b'] },
    /availabilityZones\[1\]: got "us-east-1b": expected a zone of region eu-west-1/,
  ],
  [
    'the same zone twice',
    { availabilityZones: ['eu-west-1a', 'eu-west-1a'] },
    /availabilityZones: got \["eu-west-1a","eu-west-1a"\]: expected two different zones/,
  ],
  ['misspelt field', { instanceTyp: 't3.micro' }, /environments\[0\]: unknown field\(s\) "instanceTyp"/],
  [
    'state bucket with capitals',
    { stateBackend: { bucket: 'My_State' } },
    /stateBackend\.bucket: got "My_State": expected an S3 bucket name: 3-63 lower-case letters/,
  ],
  [
    'state bucket region misspelt',
    { stateBackend: { bucket: 'acme-state', region: 'ireland' } },
    /stateBackend\.region: got "ireland": expected an AWS region code/,
  ],
  [
    'state key prefix with a leading slash',
    { stateBackend: { bucket: 'acme-state', keyPrefix: '/platform' } },
    /stateBackend\.keyPrefix: got "\/platform": expected an S3 key prefix without leading or trailing "\/"/,
  ],
  ['state backend without a bucket', { stateBackend: {} }, /stateBackend\.bucket: got nothing/],
  [
    'state backend with a DynamoDB table',
    { stateBackend: { bucket: 'acme-state', dynamodbTable: 'locks' } },
    /stateBackend: unknown field\(s\) "dynamodbTable"/,
  ],
  ['short account id', { allowedAccountIds: ['12345'] }, /allowedAccountIds\[0\]: got "12345": expected a 12-digit AWS account id/],
  ['no account ids', { allowedAccountIds: [] }, /allowedAccountIds: got \[\]: expected at least one account id; leave the field out/],
  ['the bootstrap stack name', { name: 'state-bootstrap' }, /name: got "state-bootstrap": expected a name other than "state-bootstrap"/],
])('config rule: %s', (_rule, input, message) => {
  it('fails with one message naming the field, the value and what is allowed', () => {
    expect(parseEnv(input)).toThrow(InvalidConfigError);
    expect(parseEnv(input)).toThrow(message);
  });
});

describe('whole-file rules', () => {
  it('refuses two environments with the same name', () => {
    expect(() => parseConfig({ environments: [BASE_ENV, BASE_ENV] }, 'cfg.json')).toThrow(
      /environments\[1\]\.name: got "test": expected a unique environment name/,
    );
  });
  it('keeps the state buckets in one region', () => {
    const envs = [
      { name: 'dev', region: 'eu-west-1', stateBackend: { bucket: 'acme-state' } },
      { name: 'prod', region: 'us-east-1', stateBackend: { bucket: 'acme-state-us' } },
    ];
    expect(() => parseConfig({ environments: envs }, 'cfg.json')).toThrow(
      /environments\[1\]\.stateBackend\.region: got nothing: expected eu-west-1 \(set stateBackend\.region\): the state buckets are all in one region/,
    );
    envs[1] = { ...envs[1], stateBackend: { bucket: 'acme-state-us', region: 'eu-west-1' } as never };
    expect(parseConfig({ environments: envs }, 'cfg.json').environments[1].stateBackend).toEqual({
      bucket: 'acme-state-us',
      region: 'eu-west-1',
      keyPrefix: 'platform',
    });
  });
  it('refuses a file without environments', () => {
    expect(() => parseConfig({ environments: [] }, 'cfg.json')).toThrow(/environments: got \[\]: expected at least one environment/);
  });
  it('names a file that cannot be read and says how to fix it', () => {
    expect(() => loadConfig('/nonexistent/platform.json')).toThrow(
      /cannot read the platform config \(ENOENT\); create it or set PLATFORM_CONFIG/,
    );
  });
  it('names a file that is not JSON', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'bad.json');
    writeFileSync(file, '{ "environments": [');
    expect(() => loadConfig(file)).toThrow(/bad\.json: not valid JSON/);
  });
  it('reads PLATFORM_CONFIG when no file is given', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'other.json');
    writeFileSync(file, JSON.stringify({ environments: [{ name: 'other', region: 'us-east-2' }] }));
    const saved = process.env.PLATFORM_CONFIG;
    process.env.PLATFORM_CONFIG = file;
    try {
      expect(loadConfig().environments[0]).toMatchObject({ name: 'other', region: 'us-east-2' });
    } finally {
      if (saved === undefined) delete process.env.PLATFORM_CONFIG;
      else process.env.PLATFORM_CONFIG = saved;
    }
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.40.0.0/16', { base: 0x0a280000, prefix: 16 }],
    ['192.168.1.0/24', { base: 0xc0a80100, prefix: 24 }],
    ['0.0.0.0/0', { base: 0, prefix: 0 }],
  ])('parses %s', (cidr, expected) => expect(parseCidr(cidr)).toEqual(expected));
  it.each(['10.0.0.256/24', '10.0.0.0/33', '10.0.0.1/24', 'ten/8', ''])('refuses %s', (cidr) => expect(parseCidr(cidr)).toBeUndefined());
});

describe('config JSON Schema for editors', () => {
  it('is committed and in step with the zod schema (regenerate: npm run config:schema)', () => {
    expect(JSON.parse(readFileSync('config/environments.schema.json', 'utf8'))).toEqual(configJsonSchema());
  });

  /** Every property of every object in the schema, with its path, however deep (items, records, unions). */
  function properties(node: unknown, path = ''): [string, Record<string, unknown>][] {
    if (node === null || typeof node !== 'object') return [];
    const n = node as Record<string, unknown>;
    const found: [string, Record<string, unknown>][] = [];
    for (const [key, child] of Object.entries((n.properties ?? {}) as Record<string, Record<string, unknown>>)) {
      found.push([`${path}.${key}`, child], ...properties(child, `${path}.${key}`));
    }
    for (const key of ['items', 'additionalProperties', 'prefixItems', 'anyOf', 'oneOf', 'allOf', '$defs']) {
      const sub = n[key];
      const subs = Array.isArray(sub) ? sub : sub && typeof sub === 'object' && key === '$defs' ? Object.values(sub) : [sub];
      for (const s of subs) found.push(...properties(s, `${path}${key === 'items' ? '[]' : `/${key}`}`));
    }
    return found;
  }

  it('describes every field, for editors to show on hover', () => {
    const schema = JSON.parse(readFileSync('config/environments.schema.json', 'utf8')) as Record<string, unknown>;
    const all = properties(schema);
    // The walk reaches the nested objects too (the services, the state backend).
    expect(all.map(([path]) => path)).toEqual(
      expect.arrayContaining([
        '.environments[].services.api.desiredCount',
        '.environments[].stateBackend.keyPrefix',
        '.environments[].allowedAccountIds',
      ]),
    );
    const undescribed = all.filter(([, p]) => typeof p.description !== 'string' || p.description.length < 10).map(([path]) => path);
    expect(undescribed).toEqual([]);
  });
});
