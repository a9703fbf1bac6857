import { asString, at, blocks, referencedAddress } from '../json';
import { defineRule, elementsOfType, finding, wholeStack } from '../rule';

/**
 * A lost certificate is re-requested from Let's Encrypt, which allows 5 duplicate certificates a
 * week: backups keep a deleted or corrupted ACME state from costing that quota.
 */
export const efsBackupEnabled = defineRule({
  id: 'efs-backup-enabled',
  title: 'EFS file systems have automatic backups',
  severity: 'warning',
  checkov: [],
  trivy: [],
  description: "Every aws_efs_file_system has an aws_efs_backup_policy with status ENABLED (AWS Backup's daily default plan).",
  remedy: 'add an EfsBackupPolicy with backupPolicy: { status: "ENABLED" } for the file system (stacks/certificate-storage.ts)',
  subjects: wholeStack,
  check(stack) {
    const enabled = new Set(
      elementsOfType(stack, 'aws_efs_backup_policy')
        .filter((p) => asString(at(blocks(p.attributes.backup_policy)[0], 'status')) === 'ENABLED')
        .map((p) => referencedAddress(p.attributes.file_system_id)),
    );
    return elementsOfType(stack, 'aws_efs_file_system')
      .filter((fs) => !enabled.has(fs.address))
      .map((fs) => finding(fs, 'no enabled aws_efs_backup_policy for this file system'));
  },
});
