import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { EcsTaskDefinition, EcsTaskDefinitionVolume } from '@cdktf/provider-aws/lib/ecs-task-definition';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service';
import { ContainerSpec, containerDefinitions } from './container-definition';

export interface PlatformServiceProps {
  /** Service name (ECS service name and task definition family get the prefix). */
  readonly namePrefix: string;
  /** The copy's name (contract/services.ts copyName): `api` for copy 1, `api-2` for copy 2; default the container's name. */
  readonly copyName?: string;
  /**
   * Terraform waits for this service's deployment to be steady before it touches the resources
   * that depend on it: set on every copy but the last, each copy depending on the one before,
   * so that a new image rolls one copy at a time while the others serve.
   * @default false
   */
  readonly waitForSteadyState?: boolean;
  readonly container: ContainerSpec;
  readonly clusterArn: string;
  readonly capacityProviderName: string;
  /** 0 or 1: one task per copy (host ports on one instance, checked by the config). Ignored for a daemon. */
  readonly desiredCount: number;
  /**
   * One task of the copy on every container instance (ECS's DAEMON scheduling), for a fleet of
   * more than one instance. A daemon takes no capacity provider strategy (ECS refuses one) but the
   * EC2 launch type, and no desired count.
   * @default false (one task, placed by the capacity provider)
   */
  readonly daemon?: boolean;
  readonly executionRoleArn: string;
  /** Role the container's own AWS calls use. @default none (the container calls no AWS API) */
  readonly taskRoleArn?: string;
  readonly volumes?: readonly EcsTaskDefinitionVolume[];
  /** Resources that must exist before the service starts (the capacity strategy, mount targets). */
  readonly dependsOn: readonly ITerraformDependable[];
}

/** The share of a daemon's tasks ECS keeps running while it rolls a new task definition. */
export const DAEMON_MINIMUM_HEALTHY_PERCENT = 50;

/**
 * One copy of a service: a task definition and its ECS service of one task, on the cluster's
 * instance in host network mode, on the copy's own fixed port.
 *
 * Deployment settings fit one instance with fixed host ports: the copy's old task stops before its
 * new one starts (minimum 0 %, maximum 100 %), because two tasks cannot bind the same port; the
 * service's other copies (other ECS services, other ports) serve meanwhile, and each copy waits
 * for the one before it (see waitForSteadyState). The circuit breaker rolls a deployment back
 * when its tasks keep failing.
 */
export class PlatformService extends Construct {
  /** The container's typed spec, as the task definition encodes it (the policy rules check it). */
  readonly container: ContainerSpec;
  readonly taskDefinition: EcsTaskDefinition;
  readonly service: EcsService;

  constructor(scope: Construct, id: string, props: PlatformServiceProps) {
    super(scope, id);
    this.container = props.container;
    const name = `${props.namePrefix}-${props.copyName ?? props.container.name}`;
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
    // A daemon rolls instance by instance: ECS keeps half of the copy's tasks (rounded up) running
    // while it replaces the others, so with two or more instances a new image never stops the copy
    // everywhere at once. The maximum stays unset: ECS ignores it for daemons (a task per instance).
    const placement = props.daemon
      ? { schedulingStrategy: 'DAEMON', launchType: 'EC2', deploymentMinimumHealthyPercent: DAEMON_MINIMUM_HEALTHY_PERCENT }
      : {
          desiredCount: props.desiredCount,
          capacityProviderStrategy: [{ capacityProvider: props.capacityProviderName, weight: 1, base: 0 }],
          deploymentMinimumHealthyPercent: 0,
          deploymentMaximumPercent: 100,
        };
    this.service = new EcsService(this, 'service', {
      name,
      cluster: props.clusterArn,
      taskDefinition: this.taskDefinition.arn,
      ...placement,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      enableEcsManagedTags: true,
      propagateTags: 'SERVICE',
      // The last copy (or the only one): Terraform returns once ECS accepted the change; the chaos
      // module proves steady state itself. The others: the next copy rolls once this one is steady.
      waitForSteadyState: props.waitForSteadyState ?? false,
      dependsOn: [...props.dependsOn],
    });
  }
}
