import { at, blocks, isTrue } from '../json';
import { defineRule, finding, resources } from '../rule';

/** Every pushed image is scanned for known CVEs before a deployment can pick it up. */
export const ecrScanOnPush = defineRule({
  id: 'ecr-scan-on-push',
  title: 'ECR repositories scan images on push',
  severity: 'error',
  checkov: ['CKV_AWS_163'],
  trivy: ['AVD-AWS-0030'],
  description: 'Every aws_ecr_repository sets image_scanning_configuration.scan_on_push = true.',
  remedy: 'set imageScanningConfiguration: { scanOnPush: true } on the repository (stacks/registry.ts)',
  subjects: resources('aws_ecr_repository'),
  check(subject) {
    const scan = at(blocks(subject.attributes.image_scanning_configuration)[0], 'scan_on_push');
    return isTrue(scan) ? [] : [finding(subject, 'image_scanning_configuration.scan_on_push is not true')];
  },
});
