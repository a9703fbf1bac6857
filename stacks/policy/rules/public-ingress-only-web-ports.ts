import { defineRule, finding, resources } from '../rule';
import { INGRESS_TYPES, IngressPermission, describePorts, ingressPermissions, isWorld } from '../ingress';

/** The proxy's ports: HTTP (ACME challenges, redirect) and HTTPS. */
const WEB_PORTS: readonly number[] = [80, 443];

const isWebPort = (p: IngressPermission) =>
  p.protocol === 'tcp' && p.fromPort !== undefined && p.fromPort === p.toPort && WEB_PORTS.includes(p.fromPort);

/** Only the proxy faces the internet; every other port on the host (8080, 8081, the ECS agent) stays private. */
export const publicIngressOnlyWebPorts = defineRule({
  id: 'public-ingress-only-web-ports',
  title: 'Ingress from anywhere is limited to TCP 80 and 443',
  severity: 'error',
  checkov: [],
  trivy: [],
  description:
    'An ingress rule open to 0.0.0.0/0 or ::/0 names exactly TCP port 80 or 443. The frontend (8081) and the API (8080) share the host network and are reached only through the proxy.',
  remedy: 'open a single web port per rule, or restrict the source to known CIDR blocks',
  subjects: resources(...INGRESS_TYPES),
  check(subject) {
    return ingressPermissions(subject).flatMap((p) => {
      const world = p.cidrs.filter(isWorld);
      if (world.length === 0 || isWebPort(p)) return [];
      return [finding(subject, `${describePorts(p)} is reachable from ${world.join(' and ')}; only tcp 80 and 443 may be`)];
    });
  },
});
