import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { OUTPUT_IDS, platformOutputsSchema } from '../../contract/outputs';
import { SERVICES } from '../../contract/services';
import { resourcesOf, synthPlatform } from './support';

describe('PlatformStack outputs (the contract with the chaos module)', () => {
  const { tf } = synthPlatform();

  it('emits exactly the PlatformOutputs keys, with static ids (one instance: all but the balancer name)', () => {
    expect(Object.keys(tf.output).sort()).toEqual(OUTPUT_IDS.filter((id) => id !== 'loadBalancerDnsName').sort());
  });

  it('a fleet emits them all but publicIp: it has the balancer name instead of an address', () => {
    const fleet = synthPlatform({ instanceCount: 2 }).tf;
    expect(Object.keys(fleet.output).sort()).toEqual(OUTPUT_IDS.filter((id) => id !== 'publicIp').sort());
  });

  it("names the image tag the services run (the config's imageTag), which journals record", () => {
    expect(tf.output.imageTag?.value).toBe('latest');
    expect(synthPlatform({ imageTag: 'sha-1a2b3c4' }).tf.output.imageTag?.value).toBe('sha-1a2b3c4');
  });

  it('describes each service as the chaos module needs it', () => {
    const services = tf.output.services.value as Record<string, Record<string, unknown>>;
    for (const name of ['frontend', 'api', 'proxy'] as const) {
      expect(services[name]).toMatchObject({
        containerName: SERVICES[name].containerName,
        port: SERVICES[name].port,
        healthPath: '/healthz',
        serviceName: expect.stringMatching(/^\$\{aws_ecs_service\.\w+\.name\}$/),
      });
    }
  });

  it('parses once Terraform has filled in the values', () => {
    // Each reference becomes what `terraform output -json` would show: the names the stack gives
    // its resources (so they must pass the contract's name patterns), and plausible ids and addresses.
    const attribute = (type: string, id: string, name: string): string => {
      const value = tf.resource[type]?.[id]?.[name];
      if (typeof value !== 'string') throw new Error(`${type}.${id}.${name} is not a literal string`);
      return value;
    };
    const fill = (reference: string): string => {
      const [type = '', id = '', name = ''] = reference.split('.');
      if (name === 'public_ip') return '198.51.100.10';
      if (name === 'id') return 'fs-0123456789abcdef0';
      if (type === 'aws_iam_policy') return `arn:aws:iam::123456789012:policy/${attribute(type, id, 'name')}`;
      if (name === 'arn') return `arn:aws:ecs:eu-west-1:123456789012:cluster/${attribute(type, id, 'name')}`;
      if (name === 'repository_url') return `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${attribute(type, id, 'name')}`;
      return attribute(type, id, name);
    };
    const filled = JSON.parse(
      JSON.stringify(Object.fromEntries(Object.entries(tf.output).map(([k, v]) => [k, v.value]))).replace(
        /\$\{([^}]+)\}/g,
        (_m, ref: string) => fill(ref),
      ),
    );
    expect(platformOutputsSchema.parse(filled)).toMatchObject({
      target: 'aws',
      sshUser: 'ec2-user',
      publicUrl: 'http://198.51.100.10',
      clusterName: 'platform-test',
      services: {
        api: {
          serviceName: 'platform-test-api',
          taskFamily: 'platform-test-api',
          logGroup: '/platform-test/api',
          // Every copy, copy 1 (the service's own names) first, each on its own port.
          copies: [
            { serviceName: 'platform-test-api', containerName: 'api', port: 8080, taskFamily: 'platform-test-api' },
            { serviceName: 'platform-test-api-2', containerName: 'api', port: 8082, taskFamily: 'platform-test-api-2' },
          ],
        },
        frontend: { copies: [{ port: 8081 }, { port: 8083 }] },
        proxy: { copies: [{ serviceName: 'platform-test-proxy', port: 80 }] },
      },
    });
  });

  it.each<[string, Parameters<typeof synthPlatform>[0], 'ssm' | 'ssh']>([
    ['the default (no port 22, no key pair)', {}, 'ssm'],
    ['SSH CIDRs', { sshCidrs: ['203.0.113.7/32'] }, 'ssh'],
    ['a key pair', { sshKeyName: 'ops' }, 'ssh'],
  ])('says which host access it offers: %s gives %s', (_case, overrides, access) => {
    expect(synthPlatform(overrides).tf.output.hostAccess?.value).toBe(access);
  });

  it('uses the domain for the public URL when one is set, and a DNS record with a hosted zone', () => {
    const withDomain = synthPlatform({ domain: 'app.example.com', acmeEmail: 'ops@example.com', hostedZoneId: 'Z0123456789ABC' });
    expect(withDomain.tf.output.publicUrl.value).toBe('https://app.example.com');
    expect(withDomain.json).toHaveResourceWithProperties(Route53Record, { zone_id: 'Z0123456789ABC', name: 'app.example.com', type: 'A' });
    expect(resourcesOf(tf, 'aws_route53_record')).toHaveLength(0);
  });
});
