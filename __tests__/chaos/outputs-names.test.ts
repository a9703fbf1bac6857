import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidOutputsError } from '../../chaos/errors';
import { parseOutputs } from '../../chaos/targets/outputs-reader';
import { platformOutputsSchema, type PlatformOutputs } from '../../contract/outputs';
import { localOutputs } from '../../rehearsal/outputs';
import { outputsFor } from './helpers/outputs-fixture';

/** The deployed stack's outputs as `cdktf deploy --outputs-file` writes them (eu-west-1, account 123456789012). */
const AWS: PlatformOutputs = JSON.parse(readFileSync(join(__dirname, 'fixtures/outputs-aws.json'), 'utf8'))['platform-staging'];
const LOCAL = outputsFor('http://127.0.0.1:8000');

type Doc = Record<string, unknown>;
const withService = (doc: PlatformOutputs, field: string, value: string): Doc => ({
  ...doc,
  services: { ...doc.services, api: { ...doc.services.api, [field]: value } },
});
const parse = (doc: Doc) => () => parseOutputs(JSON.stringify(doc), 'outputs.json');

describe('outputs: hostile names are refused at load, naming the file, the field and what is allowed', () => {
  it.each<[string, Doc, RegExp]>([
    [
      'a container name carrying a command',
      withService(AWS, 'containerName', 'api; rm -rf /'),
      /^outputs\.json: services\.api\.containerName: expected an ECS name: 1 to 255 letters, digits, "_" or "-", starting with a letter or digit, got "api; rm -rf \/"$/,
    ],
    [
      'a service name that is an option',
      withService(AWS, 'serviceName', '--all'),
      /^outputs\.json: services\.api\.serviceName: expected an ECS name.*got "--all"$/,
    ],
    ['a task family with $(…)', withService(AWS, 'taskFamily', 'api$(id)'), /services\.api\.taskFamily: expected an ECS name/],
    ['a task family with backquotes', withService(AWS, 'taskFamily', 'a`id`'), /services\.api\.taskFamily: expected an ECS name/],
    [
      'a log group with a newline',
      withService(AWS, 'logGroup', '/platform\nrm -rf /'),
      /services\.api\.logGroup: expected a log group name.*got "\/platform\\nrm -rf \/"$/,
    ],
    [
      'a health path breaking the request line',
      withService(AWS, 'healthPath', '/healthz HTTP/1.1\r\nHost: x'),
      /services\.api\.healthPath: expected a path/,
    ],
    [
      'a swarm service name with a space',
      withService(LOCAL, 'serviceName', 'platform api'),
      /services\.api\.serviceName: expected a swarm service name/,
    ],
    [
      'a swarm service name too long',
      withService(LOCAL, 'serviceName', 'a'.repeat(64)),
      /services\.api\.serviceName: expected a swarm service name: 1 to 63/,
    ],
    [
      'a Docker container name in unicode',
      withService(LOCAL, 'containerName', 'аpi'),
      /services\.api\.containerName: expected a Docker name/,
    ],
    ['a cluster name with a pipe', { ...AWS, clusterName: 'platform|x' }, /^outputs\.json: clusterName: expected an ECS name/],
    ['an ECS name of 256 characters', { ...AWS, clusterName: 'a'.repeat(256) }, /clusterName: expected an ECS name/],
    ['an ASG name with a semicolon', { ...AWS, asgName: 'asg;reboot' }, /^outputs\.json: asgName: expected an Auto Scaling group name/],
    ['an SSH user that is an option', { ...AWS, sshUser: '-oProxyCommand=id' }, /^outputs\.json: sshUser: expected a user name/],
    [
      'an SSH host with a space',
      { ...AWS, sshHost: 'host -p 1' },
      /^outputs\.json: sshHost: expected an IPv4 or IPv6 address or a DNS name/,
    ],
    [
      'a cluster ARN that is not one',
      { ...AWS, clusterArn: 'platform-staging' },
      /^outputs\.json: clusterArn: expected an ECS cluster ARN/,
    ],
    ['an ARN of another service', { ...AWS, clusterArn: 'arn:aws:iam::123456789012:role/x' }, /clusterArn: expected an ECS cluster ARN/],
    ['a region with a dot', { ...AWS, region: 'evil.com' }, /^outputs\.json: region: expected an AWS region/],
    ['a public URL that is not http', { ...AWS, publicUrl: 'file:///etc/passwd' }, /^outputs\.json: publicUrl: expected an http\(s\) URL/],
    ['a public URL with user info', { ...AWS, publicUrl: 'http://203.0.113.10@198.51.100.1/' }, /publicUrl: expected an http\(s\) URL/],
    [
      'a repository of another registry',
      { ...AWS, repositoryUrls: { ...AWS.repositoryUrls, api: 'docker.io/x/api' } },
      /repositoryUrls\.api: expected an ECR repository URL/,
    ],
    ['an EFS id that is not one', { ...AWS, certificateVolume: 'fs-$(id)' }, /certificateVolume: expected an EFS file system id/],
    ['an environment with a slash', { ...AWS, environment: '../prod' }, /^outputs\.json: environment: expected 1 to 63 letters/],
  ])('%s', (_name, doc, message) => {
    expect(parse(doc)).toThrow(InvalidOutputsError);
    expect(parse(doc)).toThrow(message);
  });

  it('names the place as written in a terraform output -json file', () => {
    const terraform = Object.fromEntries(Object.entries(withService(AWS, 'containerName', '$(id)')).map(([k, v]) => [k, { value: v }]));
    expect(parse(terraform)).toThrow(/^outputs\.json: services\.value\.api\.containerName: expected an ECS name/);
  });

  it('escapes what a terminal would obey when it echoes the value', () => {
    expect(parse({ ...AWS, clusterName: 'a\u001b[2Jb\u2028c\u202e' })).toThrow(/got "a\\u001b\[2Jb\\u2028c\\u202e"$/);
    expect(parse({ 'a\u001bb': AWS, b: AWS })).toThrow(/holds outputs of 2 stacks \("a\\u001bb", b\)/);
  });
});

describe('outputs: a local target names only this machine', () => {
  it.each<[string, Doc, RegExp]>([
    [
      'an SSH host elsewhere',
      { ...LOCAL, sshHost: '192.0.2.10' },
      /^outputs\.json: sshHost: expected 127\.0\.0\.0\/8, ::1 or localhost \(a local target never names another machine\), got "192\.0\.2\.10"$/,
    ],
    ['an SSH host by DNS name', { ...LOCAL, sshHost: 'localhost.example.com' }, /sshHost: expected 127\.0\.0\.0\/8/],
    ['a loopback address spelled loosely', { ...LOCAL, sshHost: '127.1' }, /sshHost: expected 127\.0\.0\.0\/8/],
    ['a public IP elsewhere', { ...LOCAL, publicIp: '10.0.0.1' }, /^outputs\.json: publicIp: expected 127\.0\.0\.0\/8/],
    [
      'a public URL elsewhere',
      { ...LOCAL, publicUrl: 'http://192.0.2.10:8080/' },
      /^outputs\.json: publicUrl: expected an http\(s\) URL of 127\.0\.0\.0\/8, \[::1\] or localhost/,
    ],
    [
      'a public URL hiding another host',
      { ...LOCAL, publicUrl: 'http://127.0.0.1@192.0.2.10/' },
      /publicUrl: expected an http\(s\) URL of 127/,
    ],
    [
      'a docker host over TCP elsewhere',
      { ...LOCAL, dockerHost: 'tcp://192.0.2.10:2375' },
      /^outputs\.json: dockerHost: expected unix:\/\/\/<socket path>.*or tcp:\/\/ to 127\.0\.0\.0\/8/,
    ],
    ['a docker host over SSH', { ...LOCAL, dockerHost: 'ssh://root@127.0.0.1' }, /dockerHost: expected unix/],
    ['a relative socket', { ...LOCAL, dockerHost: 'unix://docker.sock' }, /dockerHost: expected unix/],
    ['a socket path with a space', { ...LOCAL, dockerHost: 'unix:///tmp/my docker.sock' }, /dockerHost: expected unix/],
  ])('%s', (_name, doc, message) => {
    expect(parse(doc)).toThrow(InvalidOutputsError);
    expect(parse(doc)).toThrow(message);
  });

  it.each<[string, Doc]>([
    ['127.0.0.0/8, a unix socket', { ...LOCAL, sshHost: '127.0.0.2', dockerHost: 'unix:///run/user/1000/docker.sock' }],
    [
      '::1 and localhost over TCP',
      { ...LOCAL, sshHost: '::1', publicIp: 'localhost', publicUrl: 'http://[::1]:8080/', dockerHost: 'tcp://localhost:2375' },
    ],
  ])('accepts %s', (_name, doc) => {
    expect(parse(doc)().outputs).toMatchObject(doc);
  });

  it('accepts what the rehearsal writes, and the rehearsal refuses to write what the reader would refuse', () => {
    const written = localOutputs({
      proxyPort: 8088,
      ssh: { host: '127.0.0.1', port: 2222, user: 'runner' },
      clusterId: 'q3v0j8k2m5n7p9r1s4t6u8w0x',
      nodeId: 'a1b2c3d4e5f6g7h8i9j0k1l2m',
      dockerHost: 'unix:///work/.rehearsal/engine/docker.sock',
    });
    expect(parse(written)().outputs).toEqual(written);
    expect(platformOutputsSchema.safeParse({ ...written, dockerHost: 'tcp://192.0.2.10:2375' }).success).toBe(false);
  });
});

describe('outputs: an AWS deployment agrees with itself', () => {
  it.each<[string, Doc, RegExp]>([
    [
      'a cluster ARN in another region',
      { ...AWS, region: 'us-east-1' },
      /^outputs\.json: clusterArn: is in region eu-west-1, but region is us-east-1$/,
    ],
    [
      'a cluster ARN naming another cluster',
      { ...AWS, clusterName: 'platform-prod' },
      /^outputs\.json: clusterArn: names cluster "platform-staging", but clusterName is "platform-prod"$/,
    ],
    [
      'a repository in another account',
      { ...AWS, repositoryUrls: { ...AWS.repositoryUrls, proxy: '210987654321.dkr.ecr.eu-west-1.amazonaws.com/platform-staging/proxy' } },
      /^outputs\.json: repositoryUrls\.proxy: is in account 210987654321, but clusterArn is in account 123456789012$/,
    ],
    [
      'a repository in another region',
      { ...AWS, repositoryUrls: { ...AWS.repositoryUrls, api: '123456789012.dkr.ecr.us-east-1.amazonaws.com/platform-staging/api' } },
      /^outputs\.json: repositoryUrls\.api: is in region us-east-1, but region is eu-west-1$/,
    ],
  ])('%s is refused', (_name, doc, message) => {
    expect(parse(doc)).toThrow(message);
  });

  it('accepts a deployment in another partition', () => {
    const cn = {
      ...AWS,
      region: 'cn-north-1',
      clusterArn: 'arn:aws-cn:ecs:cn-north-1:123456789012:cluster/platform-staging',
      repositoryUrls: {
        frontend: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/platform-staging/frontend',
        api: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/platform-staging/api',
        proxy: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/platform-staging/proxy',
      },
    };
    expect(parse(cn)().outputs).toEqual(cn);
  });
});
