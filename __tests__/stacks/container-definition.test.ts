import { ContainerSpec, toEcsContainerDefinition } from '../../stacks/container-definition';

const minimal: ContainerSpec = {
  name: 'api',
  image: 'repo/api:1',
  memoryMiB: 128,
  ports: [8080],
  logs: { group: '/g', region: 'eu-west-1', streamPrefix: 'api' },
};

describe('toEcsContainerDefinition', () => {
  it('drops every field the spec leaves out', () => {
    const def = toEcsContainerDefinition(minimal);
    expect(Object.keys(def).sort()).toEqual(['essential', 'image', 'logConfiguration', 'memory', 'name', 'portMappings', 'privileged']);
  });

  it.each([
    [
      'health check defaults',
      { healthCheck: { command: ['CMD', 'x'] } },
      { healthCheck: { command: ['CMD', 'x'], interval: 10, timeout: 3, retries: 3, startPeriod: 10 } },
    ],
    [
      'restart policy',
      { restartPolicy: { enabled: true, attemptPeriodSeconds: 60 } },
      { restartPolicy: { enabled: true, restartAttemptPeriod: 60 } },
    ],
    [
      'environment sorted by name',
      { environment: { B: '2', A: '1' } },
      {
        environment: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
      },
    ],
    ['tmpfs', { tmpfs: [{ path: '/tmp', sizeMiB: 8 }] }, { linuxParameters: { tmpfs: [{ containerPath: '/tmp', size: 8 }] } }],
    [
      'capabilities',
      { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } },
      { linuxParameters: { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } } },
    ],
    [
      'capabilities and tmpfs into one linuxParameters',
      { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, tmpfs: [{ path: '/tmp', sizeMiB: 8 }] },
      {
        linuxParameters: {
          capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
          tmpfs: [{ containerPath: '/tmp', size: 8 }],
        },
      },
    ],
    [
      'mount points read-write by default',
      { mountPoints: [{ volume: 'v', path: '/p' }] },
      { mountPoints: [{ sourceVolume: 'v', containerPath: '/p', readOnly: false }] },
    ],
    [
      'host ports equal container ports',
      { ports: [80, 443] },
      {
        portMappings: [
          { containerPort: 80, hostPort: 80, protocol: 'tcp' },
          { containerPort: 443, hostPort: 443, protocol: 'tcp' },
        ],
      },
    ],
  ] as const)('maps %s', (_name, extra, expected) => {
    expect(toEcsContainerDefinition({ ...minimal, ...extra })).toMatchObject(expected);
  });

  it('never makes a container privileged', () => {
    expect(toEcsContainerDefinition(minimal).privileged).toBe(false);
  });
});
