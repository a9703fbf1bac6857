import { asString, at, blocks } from '../json';
import { defineRule, finding, resources } from '../rule';

/**
 * Mounting through an access point with IAM authorization lets only the proxy's task role mount the
 * certificates, and only their directory; any other process on the host that can reach NFS cannot.
 */
export const efsVolumeIamAuthorization = defineRule({
  id: 'efs-volume-iam-authorization',
  title: 'EFS volumes mount through an access point with IAM authorization',
  severity: 'error',
  checkov: [],
  trivy: [],
  description:
    'Every efs_volume_configuration of an aws_ecs_task_definition names an access point and sets authorization_config.iam = "ENABLED", so the task role (not the network) decides who mounts it.',
  remedy: 'set authorizationConfig: { accessPointId, iam: "ENABLED" } in the volume\'s efsVolumeConfiguration',
  subjects: resources('aws_ecs_task_definition'),
  check(subject) {
    return blocks(subject.attributes.volume).flatMap((volume) => {
      const efs = blocks(volume.efs_volume_configuration)[0];
      if (efs === undefined) return [];
      const auth = blocks(efs.authorization_config)[0];
      const name = asString(volume.name) ?? '?';
      if (asString(at(auth, 'access_point_id')) === undefined)
        return [finding(subject, `volume "${name}" mounts the file system root without an access point`)];
      if (asString(at(auth, 'iam')) !== 'ENABLED') return [finding(subject, `volume "${name}": authorization_config.iam is not ENABLED`)];
      return [];
    });
  },
});
