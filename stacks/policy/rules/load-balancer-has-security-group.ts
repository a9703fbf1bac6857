import { asString, isTrue, strings } from '../json';
import { defineRule, elementsOfType, finding, wholeStack } from '../rule';

/**
 * Project rule. A network load balancer without a security group makes its targets accept the
 * clients' own addresses (it preserves them), so the instances must take 80/443 from the whole
 * internet; with one, they take them from the balancer's group only. A group can only be given to
 * a network load balancer when it is created: adding one later replaces the balancer.
 */
export const loadBalancerHasSecurityGroup = defineRule({
  id: 'load-balancer-has-security-group',
  title: 'An internet-facing network load balancer has a security group',
  severity: 'error',
  checkov: [],
  trivy: [],
  description:
    'An internet-facing aws_lb of type "network" names security_groups, so the instances behind it can admit traffic from that group alone instead of from 0.0.0.0/0.',
  remedy: "give the balancer a security group and let the instances' ingress reference it (stacks/security-groups.ts)",
  subjects: wholeStack,
  check(stack) {
    return elementsOfType(stack, 'aws_lb').flatMap((balancer) => {
      if (asString(balancer.attributes.load_balancer_type) !== 'network' || isTrue(balancer.attributes.internal)) return [];
      if (strings(balancer.attributes.security_groups).length > 0) return [];
      return [finding(balancer, 'has no security group: its instances must then take 80/443 from the whole internet')];
    });
  },
});
