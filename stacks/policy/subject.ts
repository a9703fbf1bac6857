import { ContainerSpec } from '../container-definition';
import type { JsonObject } from '../../contract/json';

/** Which Terraform block an element sits in. */
export type TerraformBlock = 'resource' | 'data' | 'provider';

/**
 * One Terraform element of the stack (a managed resource, a data source or a provider block) with its
 * attributes exactly as synthesized, references resolved to "${type.name.attr}" strings.
 */
export interface ResourceSubject {
  readonly kind: 'resource';
  readonly block: TerraformBlock;
  /** Terraform type, e.g. "aws_security_group" (for a provider: its name, "aws"). */
  readonly type: string;
  /** Terraform address: "aws_vpc.network_vpc_1A2B", "data.aws_iam_policy_document.x", "provider.aws". */
  readonly address: string;
  /** Construct path, e.g. "dev/network/vpc". */
  readonly path: string;
  readonly attributes: JsonObject;
}

/**
 * One container of a PlatformService, as its typed spec. Container definitions synthesize to a single
 * `jsonencode(...)` expression, so rules read the spec rather than that string.
 */
export interface ContainerSubject {
  readonly kind: 'container';
  /** Construct path of the service, e.g. "dev/proxy". */
  readonly path: string;
  /** Address of the task definition that holds the container. */
  readonly taskDefinition: string;
  readonly spec: ContainerSpec;
  /**
   * What `toEcsContainerDefinition` renders from the spec (tokens resolved): for the fields the spec
   * does not type, which the helper fixes (`privileged`, `essential`).
   */
  readonly definition: JsonObject;
}

/** The whole stack, for rules that relate elements to each other (a service and its task definition). */
export interface StackSubject {
  readonly kind: 'stack';
  readonly path: string;
  readonly elements: readonly ResourceSubject[];
}

/** What a rule looks at. */
export type Subject = ResourceSubject | ContainerSubject | StackSubject;

/** How a finding names its subject: the Terraform address, or the container's name and task. */
export function describeSubject(subject: Subject): string {
  switch (subject.kind) {
    case 'resource':
      return subject.address;
    case 'container':
      return `container "${subject.spec.name}" of ${subject.taskDefinition}`;
    case 'stack':
      return `stack ${subject.path}`;
  }
}
