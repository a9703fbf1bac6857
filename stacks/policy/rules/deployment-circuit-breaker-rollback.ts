import { asString, at, blocks, isTrue } from '../json';
import { defineRule, finding, resources } from '../rule';

/** A deployment whose tasks keep failing otherwise retries forever, with the service down. */
export const deploymentCircuitBreakerRollback = defineRule({
  id: 'deployment-circuit-breaker-rollback',
  title: 'Services roll a failing deployment back',
  severity: 'error',
  checkov: [],
  trivy: [],
  description: 'Every aws_ecs_service on the ECS deployment controller sets deployment_circuit_breaker { enable = true, rollback = true }.',
  remedy: 'set deploymentCircuitBreaker: { enable: true, rollback: true } on the service (stacks/platform-service.ts)',
  subjects: resources('aws_ecs_service'),
  check(subject) {
    const controller = asString(at(blocks(subject.attributes.deployment_controller)[0], 'type')) ?? 'ECS';
    if (controller !== 'ECS') return [];
    const breaker = blocks(subject.attributes.deployment_circuit_breaker)[0];
    if (isTrue(at(breaker, 'enable')) && isTrue(at(breaker, 'rollback'))) return [];
    return [
      finding(
        subject,
        breaker === undefined ? 'no deployment_circuit_breaker' : 'deployment_circuit_breaker does not both enable and roll back',
      ),
    ];
  },
});
