import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SERVICES } from '../../contract/services';
import { containerOf, resourcesOf, synthPlatform } from './support';

describe('PlatformService', () => {
  const { json, tf } = synthPlatform({
    imageTag: 'abc1234',
    domain: 'app.example.com',
    acmeEmail: 'ops@example.com',
    services: { frontend: { desiredCount: 0 }, api: { desiredCount: 1, memoryMiB: 256 } },
    logRetentionDays: 7,
  });

  it.each(['frontend', 'api', 'proxy'] as const)('%s: host networking on EC2, from the typed spec', (name) => {
    expect(json).toHaveResourceWithProperties(EcsTaskDefinition, {
      family: `platform-test-${name}`,
      network_mode: 'host',
      requires_compatibilities: ['EC2'],
    });
    const c = containerOf(tf, name);
    expect(c).toMatchObject({
      name,
      essential: true,
      privileged: false,
      stopTimeout: SERVICES[name].stopTimeoutSeconds,
      healthCheck: { command: [...SERVICES[name].healthCheckCommand] },
      restartPolicy: { enabled: true, restartAttemptPeriod: 60 },
      logConfiguration: { logDriver: 'awslogs', options: expect.objectContaining({ 'awslogs-stream-prefix': name, mode: 'non-blocking' }) },
    });
    expect(String(c.image)).toMatch(new RegExp(`^\\$\\{aws_ecr_repository\\.registry_${name}_\\w+\\.repository_url\\}:abc1234$`));
    expect(c.portMappings).toContainEqual({ containerPort: SERVICES[name].port, hostPort: SERVICES[name].port, protocol: 'tcp' });
  });

  it('uses the configured memory or the service default', () => {
    expect(containerOf(tf, 'api').memory).toBe(256);
    expect(containerOf(tf, 'proxy').memory).toBe(SERVICES.proxy.defaultMemoryMiB);
  });

  it('limits the API to its CPU units with a task-level cpu (the hard quota on EC2), weighted the same; the others unlimited', () => {
    const task = (name: string) => resourcesOf(tf, 'aws_ecs_task_definition').find((t) => t.family === `platform-test-${name}`);
    expect(SERVICES.api.cpuLimitUnits).toBe(256);
    expect(task('api')?.cpu).toBe('256');
    expect(containerOf(tf, 'api').cpu).toBe(256);
    for (const name of ['frontend', 'proxy'] as const) {
      expect(task(name)?.cpu).toBeUndefined();
      expect(containerOf(tf, name).cpu).toBeUndefined();
    }
  });

  it('runs the API and the frontend read-only, as non-root users', () => {
    expect(containerOf(tf, 'api')).toMatchObject({
      readonlyRootFilesystem: true,
      user: '65532:65532',
      environment: [
        { name: 'LISTEN_HOST', value: '127.0.0.1' },
        { name: 'PORT', value: '8080' },
      ],
    });
    expect(containerOf(tf, 'frontend')).toMatchObject({
      user: '33:33',
      readonlyRootFilesystem: true,
      linuxParameters: { tmpfs: [{ containerPath: '/tmp', size: 16 }] },
    });
  });

  it('runs the proxy as its non-root user, keeping only the capability to bind ports 80 and 443', () => {
    // GIVEN the synthesized stack, THEN the proxy's container definition names a user that is not root
    const proxy = containerOf(tf, 'proxy');
    expect(proxy.user).toBe(SERVICES.proxy.user);
    expect(proxy.user).toBe('101:101');
    expect(String(proxy.user)).not.toMatch(/^(root|0)(:|$)/);
    // and drops every capability but NET_BIND_SERVICE, which the image's nginx binary needs in the
    // bounding set for its file capability
    expect(proxy.linuxParameters).toEqual({ capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } });
    expect(proxy.privileged).toBe(false);
    expect(containerOf(tf, 'api').linuxParameters).toBeUndefined();
  });

  it('gives the proxy its ACME settings, both ports and the certificate volume', () => {
    const proxy = containerOf(tf, 'proxy');
    expect(proxy.environment).toEqual([
      { name: 'ACME_DIRECTORY', value: 'https://acme-staging-v02.api.letsencrypt.org/directory' },
      { name: 'ACME_EMAIL', value: 'ops@example.com' },
      { name: 'API_UPSTREAM', value: '127.0.0.1:8080 127.0.0.1:8082' },
      { name: 'DOMAIN', value: 'app.example.com' },
      { name: 'FRONTEND_UPSTREAM', value: '127.0.0.1:8081 127.0.0.1:8083' },
    ]);
    expect(proxy.portMappings).toContainEqual({ containerPort: 443, hostPort: 443, protocol: 'tcp' });
    expect(proxy.mountPoints).toEqual([{ sourceVolume: 'certificates', containerPath: '/etc/acme', readOnly: false }]);
    expect(json).toHaveResourceWithProperties(EcsTaskDefinition, {
      family: 'platform-test-proxy',
      volume: [
        expect.objectContaining({
          name: 'certificates',
          efs_volume_configuration: expect.objectContaining({
            transit_encryption: 'ENABLED',
            authorization_config: expect.objectContaining({ iam: 'ENABLED' }),
          }),
        }),
      ],
    });
  });

  it('gives only the proxy a task role', () => {
    const withRole = resourcesOf(tf, 'aws_ecs_task_definition').filter((t) => t.task_role_arn !== undefined);
    expect(withRole.map((t) => t.family)).toEqual(['platform-test-proxy']);
  });

  it('deploys one task at a time on the single instance, with the circuit breaker rolling back', () => {
    expect(json).toHaveResourceWithProperties(EcsService, {
      name: 'platform-test-api',
      desired_count: 1,
      deployment_minimum_healthy_percent: 0,
      deployment_maximum_percent: 100,
      deployment_circuit_breaker: { enable: true, rollback: true },
      capacity_provider_strategy: [expect.objectContaining({ weight: 1 })],
    });
    expect(json).toHaveResourceWithProperties(EcsService, { name: 'platform-test-frontend', desired_count: 0 });
  });

  it('starts the proxy only after the file system can be mounted', () => {
    const proxy = resourcesOf(tf, 'aws_ecs_service').find((s) => s.name === 'platform-test-proxy');
    expect((proxy?.depends_on as string[]).filter((d) => d.startsWith('aws_efs_mount_target.'))).toHaveLength(2);
  });

  it('has one log group per service with the configured retention', () => {
    for (const name of ['frontend', 'api', 'proxy']) {
      expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: `/platform-test/${name}`, retention_in_days: 7 });
    }
  });
});

describe('copies: one ECS service per copy, on its own port, rolled one at a time', () => {
  const { tf } = synthPlatform({});
  const services = resourcesOf(tf, 'aws_ecs_service');
  const serviceNamed = (name: string) => services.find((s) => s.name === `platform-test-${name}`);
  const addressOf = (name: string) =>
    Object.entries(tf.resource.aws_ecs_service ?? {}).find(([, s]) => (s as { name?: string }).name === `platform-test-${name}`)?.[0];

  it('runs two copies of the api and of the frontend and one proxy by default', () => {
    expect(services.map((s) => s.name).sort()).toEqual([
      'platform-test-api',
      'platform-test-api-2',
      'platform-test-frontend',
      'platform-test-frontend-2',
      'platform-test-proxy',
    ]);
  });

  it.each([
    ['api-2', 8082, ['CMD', '/usr/local/bin/api', 'healthcheck']],
    ['frontend-2', 8083, ['CMD', '/usr/local/bin/healthcheck', 'http://127.0.0.1:8083/healthz']],
  ])('%s: its own port, PORT, health check and log stream prefix', (name, port, health) => {
    const c = containerOf(tf, name);
    expect(c.portMappings).toEqual([{ containerPort: port, hostPort: port, protocol: 'tcp' }]);
    expect(c.environment).toContainEqual({ name: 'PORT', value: String(port) });
    expect(c.healthCheck).toMatchObject({ command: health });
    expect(c.logConfiguration).toMatchObject({ options: expect.objectContaining({ 'awslogs-stream-prefix': name }) });
  });

  it('each copy deploys stop-first (0 % / 100 %) with the circuit breaker; copy 2 waits for copy 1, which Terraform waits to be steady', () => {
    for (const s of services) {
      expect(s).toMatchObject({
        deployment_minimum_healthy_percent: 0,
        deployment_maximum_percent: 100,
        deployment_circuit_breaker: { enable: true, rollback: true },
        desired_count: 1,
      });
    }
    for (const name of ['api', 'frontend']) {
      expect(serviceNamed(name)?.wait_for_steady_state).toBe(true);
      expect(serviceNamed(`${name}-2`)?.wait_for_steady_state).toBe(false);
      expect(serviceNamed(`${name}-2`)?.depends_on).toContain(`aws_ecs_service.${addressOf(name)}`);
    }
    expect(serviceNamed('proxy')?.wait_for_steady_state).toBe(false);
  });

  it('one copy each: the services of before copies, under the same addresses', () => {
    const single = synthPlatform({ services: { api: { copies: 1 }, frontend: { copies: 1 } } }).tf;
    const before = Object.keys(single.resource.aws_ecs_service ?? {}).sort();
    expect(before).toHaveLength(3);
    // Adding the second copies adds services and replaces none: copy 1 keeps its address.
    for (const address of before) expect(Object.keys(tf.resource.aws_ecs_service ?? {})).toContain(address);
    expect(containerOf(single, 'proxy').environment).toContainEqual({ name: 'API_UPSTREAM', value: '127.0.0.1:8080' });
  });
});
