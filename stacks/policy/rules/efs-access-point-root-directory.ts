import { asString, at, blocks } from '../json';
import { defineRule, finding, resources } from '../rule';

/** An access point rooted at "/" would give the proxy the whole file system rather than its directory. */
export const efsAccessPointRootDirectory = defineRule({
  id: 'efs-access-point-root-directory',
  title: 'EFS access points enforce a root directory',
  severity: 'error',
  checkov: ['CKV_AWS_329'],
  trivy: [],
  description: 'Every aws_efs_access_point sets root_directory.path to a directory other than "/".',
  remedy: 'give the access point a rootDirectory such as { path: "/acme", creationInfo: {...} } (stacks/certificate-storage.ts)',
  subjects: resources('aws_efs_access_point'),
  check(subject) {
    const path = asString(at(blocks(subject.attributes.root_directory)[0], 'path'));
    if (path !== undefined && path !== '/') return [];
    return [finding(subject, `root_directory.path is ${path === undefined ? 'unset' : '"/"'}: clients see the whole file system`)];
  },
});
