import { ContainerSpec } from '../../stacks/container-definition';
import type { JsonObject } from '../../contract/json';
import { ContainerSubject, ResourceSubject, StackSubject, TerraformBlock } from '../../stacks/policy/subject';

/** A Terraform element as the stack would synthesize it; `name` gives its address ("aws_x.<name>"). */
export function element(type: string, attributes: JsonObject, options: { name?: string; block?: TerraformBlock } = {}): ResourceSubject {
  const name = options.name ?? 'subject';
  const block = options.block ?? 'resource';
  const address = block === 'data' ? `data.${type}.${name}` : block === 'provider' ? `provider.${type}` : `${type}.${name}`;
  return { kind: 'resource', block, type, address, path: `test/${name}`, attributes };
}

/** A container that passes every container rule; tests override what they are about. */
export const COMPLIANT_SPEC: ContainerSpec = {
  name: 'api',
  image: 'repo/api:abc1234',
  memoryMiB: 128,
  ports: [8080],
  healthCheck: { command: ['CMD', '/usr/local/bin/api', 'healthcheck'] },
  stopTimeoutSeconds: 10,
  restartPolicy: { enabled: true, attemptPeriodSeconds: 60 },
  readonlyRootFilesystem: true,
  user: '65532:65532',
  logs: { group: '/platform-test/api', region: 'eu-west-1', streamPrefix: 'api' },
};

export function container(overrides: Partial<ContainerSpec> = {}, definition: JsonObject = { privileged: false }): ContainerSubject {
  return {
    kind: 'container',
    path: 'test/api',
    taskDefinition: 'aws_ecs_task_definition.api_task',
    spec: { ...COMPLIANT_SPEC, ...overrides },
    definition,
  };
}

export function stack(...elements: readonly ResourceSubject[]): StackSubject {
  return { kind: 'stack', path: 'test', elements };
}
