import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { EcsTaskDefinition, EcsTaskDefinitionVolume } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { ContainerSpec, containerDefinitions } from './container-definition';

export interface PlatformServiceProps {
  /** Service name (ECS service name and task definition family get the prefix). */
  readonly namePrefix: string;
  readonly container: ContainerSpec;
  readonly clusterArn: string;
  readonly capacityProviderName: string;
  /** 0 or 1 (host ports on one instance, checked by the config). */
  readonly desiredCount: number;
  readonly executionRoleArn: string;
  /** Role the container's own AWS calls use. @default none (the container calls no AWS API) */
  readonly taskRoleArn?: string;
  readonly volumes?: readonly EcsTaskDefinitionVolume[];
  /** Resources that must exist before the service starts (the capacity strategy, mount targets). */
  readonly dependsOn: readonly ITerraformDependable[];
}

/**
 * One task definition and its ECS service, on the cluster's instance in host network mode.
 *
 * Deployment settings fit one instance with fixed host ports: the old task stops before the new one
 * starts (minimum 0 %, maximum 100 %), because two copies cannot bind the same port. The circuit
 * breaker rolls a deployment back when its tasks keep failing.
 */
export class PlatformService extends Construct {
  /** The container's typed spec, as the task definition encodes it (the policy rules check it). */
  readonly container: ContainerSpec;
  readonly taskDefinition: EcsTaskDefinition;
  readonly service: EcsService;

  constructor(scope: Construct, id: string, props: PlatformServiceProps) {
    super(scope, id);
    this.container = props.container;
    const name = `${props.namePrefix}-${props.container.name}`;
    this.taskDefinition = new EcsTaskDefinition(this, 'task', {
      family: name,
      networkMode: 'host',
      requiresCompatibilities: ['EC2'],
      // Task-level CPU is the hard limit on EC2 (a CFS quota on the task's cgroup); the
      // container's own cpu is only its weight.
      cpu: props.container.cpuUnits === undefined ? undefined : String(props.container.cpuUnits),
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
      containerDefinitions: containerDefinitions([props.container]),
      volume: props.volumes ? [...props.volumes] : undefined,
    });
    this.service = new EcsService(this, 'service', {
      name,
      cluster: props.clusterArn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: props.desiredCount,
      capacityProviderStrategy: [{ capacityProvider: props.capacityProviderName, weight: 1, base: 0 }],
      deploymentMinimumHealthyPercent: 0,
      deploymentMaximumPercent: 100,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      enableEcsManagedTags: true,
      propagateTags: 'SERVICE',
      // Terraform returns once ECS accepted the change; the chaos module proves steady state itself.
      waitForSteadyState: false,
      dependsOn: [...props.dependsOn],
    });
  }
}
