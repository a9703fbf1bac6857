import { Construct } from 'constructs';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { SERVICE_NAMES, ServiceName } from '../contract/services';

export interface RegistryProps {
  readonly namePrefix: string;
  /** How many tagged images each repository keeps (older ones expire). */
  readonly keepTaggedImages: number;
}

/**
 * One ECR repository per image. Tags are MUTABLE because the release flow retags `latest` after each
 * push (DESIGN.md); deployments pin the immutable-in-practice commit tag through `imageTag`, so a
 * moved `latest` never changes what runs.
 */
export class Registry extends Construct {
  readonly repositories: Readonly<Record<ServiceName, EcrRepository>>;

  constructor(scope: Construct, id: string, props: RegistryProps) {
    super(scope, id);
    const entries = SERVICE_NAMES.map((name) => {
      const repo = new EcrRepository(this, name, {
        name: `${props.namePrefix}/${name}`,
        imageTagMutability: 'MUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: 'AES256' }],
        // Keeps `cdktf destroy` from failing on a repository that still holds images.
        forceDelete: true,
      });
      new EcrLifecyclePolicy(this, `${name}-lifecycle`, {
        repository: repo.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: 'Expire untagged images after one day',
              selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 },
              action: { type: 'expire' },
            },
            {
              rulePriority: 2,
              description: `Keep the last ${props.keepTaggedImages} tagged images`,
              selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: props.keepTaggedImages },
              action: { type: 'expire' },
            },
          ],
        }),
      });
      return [name, repo] as const;
    });
    this.repositories = Object.fromEntries(entries) as Record<ServiceName, EcrRepository>;
  }
}
