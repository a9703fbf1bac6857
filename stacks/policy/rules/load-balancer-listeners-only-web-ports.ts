import { asNumber, asString, isTrue, referencedAddress } from '../json';
import { defineRule, elementAt, elementsOfType, finding, wholeStack } from '../rule';
// The proxy's ports, passed through: nginx terminates TLS itself with its ACME certificate.
import { PROXY_WEB_PORTS } from '../../../contract/services';

/**
 * Project rule. An internet-facing balancer forwards whatever its listeners accept to the
 * instances: a listener on another port, or one that terminates TLS itself, reaches past the proxy
 * (or needs a certificate the platform does not manage).
 */
export const loadBalancerListenersOnlyWebPorts = defineRule({
  id: 'load-balancer-listeners-only-web-ports',
  title: 'An internet-facing load balancer listens only on TCP 80 and 443',
  severity: 'error',
  checkov: [],
  trivy: [],
  description:
    'Every aws_lb_listener of an internet-facing aws_lb (internal not true) is protocol "TCP" on port 80 or 443: the proxy is the only thing the internet reaches, and it terminates TLS with its own certificate.',
  remedy: 'listen on 80 and 443 with protocol "TCP" only (stacks/load-balancer.ts)',
  subjects: wholeStack,
  check(stack) {
    return elementsOfType(stack, 'aws_lb_listener').flatMap((listener) => {
      const balancer = elementAt(stack, referencedAddress(listener.attributes.load_balancer_arn));
      if (balancer === undefined || isTrue(balancer.attributes.internal)) return [];
      const port = asNumber(listener.attributes.port);
      const protocol = asString(listener.attributes.protocol) ?? '(unset)';
      if (port !== undefined && PROXY_WEB_PORTS.includes(port) && protocol === 'TCP') return [];
      return [
        finding(
          listener,
          `${protocol} on port ${port ?? '(unset)'} of internet-facing ${balancer.address}: only TCP 80 and 443 (passed through to the proxy) may be`,
        ),
      ];
    });
  },
});
