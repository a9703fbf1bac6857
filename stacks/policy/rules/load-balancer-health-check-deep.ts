import { asString, at, blocks } from '../json';
import { defineRule, elementsOfType, finding, wholeStack } from '../rule';
import type { Finding } from '../rule';
import type { ResourceSubject } from '../subject';

/** What is wrong with one target group's health check, or undefined when it is deep enough. */
function shallowCheck(group: ResourceSubject): string | undefined {
  const check = blocks(group.attributes.health_check)[0];
  if (check === undefined) return 'no health_check';
  const enabled = at(check, 'enabled');
  if (enabled === false || enabled === 'false') return 'a disabled health check';
  const protocol = asString(at(check, 'protocol')) ?? '(unset)';
  const path = asString(at(check, 'path'));
  const matcher = asString(at(check, 'matcher'));
  if (['HTTP', 'HTTPS'].includes(protocol) && path !== undefined && path !== '/' && matcher !== undefined) return undefined;
  return `protocol ${protocol}, path ${path ?? '(unset)'}, matcher ${matcher ?? '(unset)'}`;
}

/**
 * Project rule. A TCP health check only proves that something accepts connections on the port: a
 * proxy that reaches no API copy still passes it, and the balancer keeps sending clients there.
 */
export const loadBalancerHealthCheckDeep = defineRule({
  id: 'load-balancer-health-check-deep',
  title: "A load balancer's target group checks health over HTTP on a path",
  severity: 'error',
  checkov: [],
  trivy: [],
  description:
    'Every aws_lb_target_group has an enabled health_check of protocol HTTP or HTTPS with a path other than "/" and a matcher, so an instance leaves the group when its proxy cannot reach an API copy (the proxy\'s /readyz).',
  remedy: "check HTTP on port 80 at the proxy's readiness path with matcher 200 (stacks/load-balancer.ts)",
  // The whole stack (not each group): a stack without a balancer is checked too, and passes.
  subjects: wholeStack,
  check(stack) {
    return elementsOfType(stack, 'aws_lb_target_group').flatMap((group): Finding[] => {
      const what = shallowCheck(group);
      return what === undefined ? [] : [finding(group, `has ${what}: only an HTTP check of a readiness path proves the instance serves`)];
    });
  },
});
