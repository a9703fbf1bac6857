import { asString, at, blocks } from '../json';
import { defineRule, finding, resources } from '../rule';

/** NFS carries the certificates' private keys between the instance and the mount target. */
export const efsVolumeTransitEncryption = defineRule({
  id: 'efs-volume-transit-encryption',
  title: 'EFS volumes of task definitions encrypt data in transit',
  severity: 'error',
  checkov: ['CKV_AWS_97'],
  trivy: ['AVD-AWS-0035'],
  description: 'Every efs_volume_configuration of an aws_ecs_task_definition sets transit_encryption = "ENABLED" (NFS over TLS).',
  remedy: 'set transitEncryption: "ENABLED" in the volume\'s efsVolumeConfiguration (stacks/platform-stack.ts)',
  subjects: resources('aws_ecs_task_definition'),
  check(subject) {
    return blocks(subject.attributes.volume).flatMap((volume) => {
      const efs = blocks(volume.efs_volume_configuration)[0];
      const transit = asString(at(efs, 'transit_encryption'));
      if (efs === undefined || transit === 'ENABLED') return [];
      return [finding(subject, `volume "${asString(volume.name) ?? '?'}": transit_encryption is ${transit ?? 'unset (DISABLED)'}`)];
    });
  },
});
