import { asNumber, asString, referencedAddress } from '../json';
import { defineRule, elementAt, elementsOfType, finding, wholeStack } from '../rule';

/** ECS's default when deployment_maximum_percent is unset. */
const ECS_DEFAULT_MAXIMUM_PERCENT = 200;

/**
 * Project rule. In host network mode a task binds fixed ports on the instance: a second copy started
 * during a deployment cannot bind them, so the deployment stalls until the circuit breaker gives up.
 */
export const hostNetworkDeploymentMax100 = defineRule({
  id: 'host-network-deployment-max-100',
  title: 'Services on host networking deploy one task at a time',
  severity: 'error',
  checkov: [],
  trivy: [],
  description: `An aws_ecs_service whose task definition uses network_mode "host" sets deployment_maximum_percent <= 100 (unset means ${ECS_DEFAULT_MAXIMUM_PERCENT}): the old task stops before the new one starts. A DAEMON service passes: it runs one task per instance, which ECS stops before it starts the new one there (it ignores the maximum).`,
  remedy: 'set deploymentMaximumPercent: 100 and deploymentMinimumHealthyPercent: 0 on the service (stacks/platform-service.ts)',
  subjects: wholeStack,
  check(stack) {
    return elementsOfType(stack, 'aws_ecs_service').flatMap((service) => {
      const task = elementAt(stack, referencedAddress(service.attributes.task_definition));
      if (asString(task?.attributes.network_mode) !== 'host') return [];
      if (asString(service.attributes.scheduling_strategy) === 'DAEMON') return [];
      const maximum = asNumber(service.attributes.deployment_maximum_percent) ?? ECS_DEFAULT_MAXIMUM_PERCENT;
      if (maximum <= 100) return [];
      return [finding(service, `deployment_maximum_percent is ${maximum} with host networking: a second copy cannot bind the ports`)];
    });
  },
});
