import { Construct } from 'constructs';
import { EfsFileSystem } from '@cdktf/provider-aws/lib/efs-file-system';
import { EfsMountTarget } from '@cdktf/provider-aws/lib/efs-mount-target';
import { EfsAccessPoint } from '@cdktf/provider-aws/lib/efs-access-point';
import { EfsBackupPolicy } from '@cdktf/provider-aws/lib/efs-backup-policy';

export interface CertificateStorageProps {
  readonly namePrefix: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId: string;
  /** The proxy's user: the access point acts as it and creates the directory owned by it. */
  readonly owner: { readonly uid: number; readonly gid: number };
}

/**
 * Where the proxy keeps its ACME account and certificates: an encrypted EFS file system, so that a
 * replaced instance or a restarted proxy finds the certificate it already has and never asks Let's
 * Encrypt again (5 duplicate certificates a week). EFS rather than an EBS volume: an EBS volume lives
 * in one zone, and the group may start the replacement instance in the other. A few kilobytes on EFS
 * cost well under a cent a month.
 */
export class CertificateStorage extends Construct {
  readonly fileSystem: EfsFileSystem;
  readonly accessPoint: EfsAccessPoint;
  /** One per subnet; a task mounting the file system needs them in place. */
  readonly mountTargets: readonly EfsMountTarget[];

  constructor(scope: Construct, id: string, props: CertificateStorageProps) {
    super(scope, id);
    this.fileSystem = new EfsFileSystem(this, 'file-system', {
      creationToken: `${props.namePrefix}-certificates`,
      encrypted: true,
      performanceMode: 'generalPurpose',
      throughputMode: 'bursting',
      tags: { Name: `${props.namePrefix}-certificates` },
    });
    new EfsBackupPolicy(this, 'backup', {
      fileSystemId: this.fileSystem.id,
      backupPolicy: { status: 'ENABLED' },
    });
    this.mountTargets = props.subnetIds.map(
      (subnetId, i) =>
        new EfsMountTarget(this, `mount-${i}`, {
          fileSystemId: this.fileSystem.id,
          subnetId,
          securityGroups: [props.securityGroupId],
        }),
    );
    // The proxy sees only its own directory, mode 700, and every request through the access point
    // is made as the proxy's uid/gid whatever the client's, so ownership never depends on a uid
    // matching across instances. A new directory rather than the /acme of the root proxy: EFS sets
    // the owner only when it creates the directory, and that /acme belongs to root with mode 700,
    // which the proxy's user cannot enter. The first start with it orders one certificate (of
    // Let's Encrypt's 5 duplicates a week); the old /acme stays on the file system, unused.
    this.accessPoint = new EfsAccessPoint(this, 'proxy', {
      fileSystemId: this.fileSystem.id,
      posixUser: { uid: props.owner.uid, gid: props.owner.gid },
      rootDirectory: {
        path: '/proxy-acme',
        creationInfo: { ownerUid: props.owner.uid, ownerGid: props.owner.gid, permissions: '700' },
      },
      tags: { Name: `${props.namePrefix}-proxy-certificates` },
    });
  }
}
