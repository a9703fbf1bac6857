import { isTrue } from '../json';
import { defineRule, finding, resources } from '../rule';

/** The certificate file system holds the ACME account key and the certificates' private keys. */
export const efsEncryptedAtRest = defineRule({
  id: 'efs-encrypted-at-rest',
  title: 'EFS file systems are encrypted at rest',
  severity: 'error',
  checkov: ['CKV_AWS_42'],
  trivy: ['AVD-AWS-0037'],
  description: 'Every aws_efs_file_system sets encrypted = true. Encryption can only be chosen when the file system is created.',
  remedy: 'set encrypted: true on the file system (stacks/certificate-storage.ts); an existing one must be replaced',
  subjects: resources('aws_efs_file_system'),
  check(subject) {
    return isTrue(subject.attributes.encrypted)
      ? []
      : [finding(subject, 'encrypted is not true: the private keys on it are stored in the clear')];
  },
});
