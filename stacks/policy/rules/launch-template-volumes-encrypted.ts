import type { JsonValue } from '../../../contract/json';
import { asString, blocks, isTrue } from '../json';
import { defineRule, finding, resources } from '../rule';

const state = (value: JsonValue | undefined) => (value === undefined ? 'unset' : JSON.stringify(value));

/** The instance's root volume holds the Docker images, layers and container logs. */
export const launchTemplateVolumesEncrypted = defineRule({
  id: 'launch-template-volumes-encrypted',
  title: 'Instance EBS volumes are encrypted',
  severity: 'error',
  checkov: ['CKV_AWS_8'],
  trivy: ['AVD-AWS-0008'],
  description:
    "A launch template maps its root volume explicitly with ebs.encrypted = true (and so does every other EBS mapping); a launch configuration encrypts its root and EBS block devices. Without a mapping the volume takes the AMI snapshot's encryption, which is off unless the account encrypts by default.",
  remedy: 'map the root device with ebs { encrypted: "true" } in the launch template (stacks/cluster.ts)',
  subjects: resources('aws_launch_template', 'aws_launch_configuration'),
  check(subject) {
    const a = subject.attributes;
    if (subject.type === 'aws_launch_configuration') {
      const devices = [...blocks(a.root_block_device), ...blocks(a.ebs_block_device)];
      if (blocks(a.root_block_device).length === 0)
        return [finding(subject, 'no root_block_device: the root volume is not encrypted by the stack')];
      return devices
        .filter((d) => !isTrue(d.encrypted))
        .map((d) => finding(subject, `${asString(d.device_name) ?? 'root device'}: encrypted is ${state(d.encrypted)}`));
    }
    const ebs = blocks(a.block_device_mappings).filter((m) => blocks(m.ebs).length > 0);
    if (ebs.length === 0) return [finding(subject, "no EBS block device mapping: the root volume takes the AMI snapshot's encryption")];
    return ebs
      .filter((m) => !isTrue(blocks(m.ebs)[0].encrypted))
      .map((m) => finding(subject, `${asString(m.device_name) ?? 'a device'}: ebs.encrypted is ${state(blocks(m.ebs)[0].encrypted)}`));
  },
});
