import { Suppression, suppress } from './suppression';

/**
 * The platform stack's accepted deviations from the policy, one place for every environment. Paths
 * are construct paths inside the stack. Each reason is printed with the findings it covers.
 */
export const PLATFORM_SUPPRESSIONS: readonly Suppression[] = [
  suppress({
    ruleId: 'ecr-tags-immutable',
    path: 'registry',
    reason:
      'The release flow retags `latest` after each push, which needs MUTABLE tags. Deployments pin the commit tag through `imageTag`, so a moved `latest` never changes what runs.',
  }),
  suppress({
    ruleId: 'read-only-root-filesystem',
    path: 'proxy',
    reason:
      'The proxy renders its nginx config and pid file under /run/proxy at start and nginx writes its temp paths; what must last or be shared by the fleet (ACME account, certificates, the HTTP-01 webroot and the ordering lock) is on the encrypted EFS volume at /etc/acme.',
  }),
];
