import { IConstruct } from 'constructs';
import {
  DefaultTokenResolver,
  StringConcat,
  TerraformDataSource,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Tokenization,
} from 'cdktf';
import { toEcsContainerDefinition } from '../container-definition';
import { PlatformService } from '../platform-service';
import type { JsonObject } from '../../contract/json';
import { asString, at, toJsonObject } from './json';
import { ContainerSubject, ResourceSubject, StackSubject, Subject } from './subject';

/** A construct the policy looks at. */
export type PolicyConstruct = TerraformResource | TerraformDataSource | TerraformProvider | PlatformService;

/** True for the constructs that become subjects: Terraform elements and platform services. */
export function isPolicyConstruct(node: IConstruct): node is PolicyConstruct {
  return (
    TerraformResource.isTerraformResource(node) ||
    TerraformDataSource.isTerraformDataSource(node) ||
    TerraformProvider.isTerraformProvider(node) ||
    node instanceof PlatformService
  );
}

// The resolver cdktf itself uses for synth: references become "${type.name.attr}".
const RESOLVER = new DefaultTokenResolver(new StringConcat());

function resolve(stack: TerraformStack, value: unknown): JsonObject {
  const resolved: unknown = Tokenization.resolve(value, { scope: stack, preparing: false, resolver: RESOLVER });
  return toJsonObject(resolved);
}

function withoutMetadata(attributes: JsonObject): JsonObject {
  const { ['//']: _metadata, ...rest } = attributes;
  return rest;
}

function elementSubject(
  stack: TerraformStack,
  element: TerraformResource | TerraformDataSource | TerraformProvider,
): ResourceSubject | undefined {
  const terraform = resolve(stack, element.toTerraform());
  const type = element.terraformResourceType;
  const path = element.node.path;
  if (TerraformProvider.isTerraformProvider(element)) {
    const attributes = toJsonObject(at(terraform, 'provider', type, 0));
    const alias = asString(attributes.alias);
    return { kind: 'resource', block: 'provider', type, address: `provider.${type}${alias ? `.${alias}` : ''}`, path, attributes };
  }
  const name = element.friendlyUniqueId;
  const block = TerraformResource.isTerraformResource(element) ? 'resource' : 'data';
  const attributes = at(terraform, block, type, name);
  // A resource that was moved synthesizes no block of its own.
  if (attributes === undefined) return undefined;
  const address = block === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
  return { kind: 'resource', block, type, address, path, attributes: withoutMetadata(toJsonObject(attributes)) };
}

function containerSubject(stack: TerraformStack, service: PlatformService): ContainerSubject {
  return {
    kind: 'container',
    path: service.node.path,
    taskDefinition: `aws_ecs_task_definition.${service.taskDefinition.friendlyUniqueId}`,
    spec: service.container,
    definition: resolve(stack, toEcsContainerDefinition(service.container)),
  };
}

/** The subjects of a stack: one per element and container, in path order, plus the stack itself. */
export function subjectsOf(stack: TerraformStack, constructs: Iterable<PolicyConstruct>): readonly Subject[] {
  const sorted = [...constructs].sort((a, b) => a.node.path.localeCompare(b.node.path));
  const elements: ResourceSubject[] = [];
  const containers: ContainerSubject[] = [];
  for (const c of sorted) {
    if (c instanceof PlatformService) containers.push(containerSubject(stack, c));
    else {
      const subject = elementSubject(stack, c);
      if (subject) elements.push(subject);
    }
  }
  const whole: StackSubject = { kind: 'stack', path: stack.node.path, elements };
  return [...elements, ...containers, whole];
}
