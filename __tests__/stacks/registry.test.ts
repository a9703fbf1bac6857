import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { resourcesOf, synthPlatform } from './support';

describe('Registry', () => {
  const { json, tf } = synthPlatform({ ecrKeepTaggedImages: 7 });

  it.each(['frontend', 'api', 'proxy'])('has a %s repository scanned on push', (service) => {
    expect(json).toHaveResourceWithProperties(EcrRepository, {
      name: `platform-test/${service}`,
      image_scanning_configuration: { scan_on_push: true },
      image_tag_mutability: 'MUTABLE',
    });
  });

  it('expires untagged images and keeps the last N tagged ones', () => {
    const policies = resourcesOf(tf, 'aws_ecr_lifecycle_policy');
    expect(policies).toHaveLength(3);
    const rules = JSON.parse(String(policies[0].policy)).rules;
    expect(rules).toEqual([
      expect.objectContaining({ selection: expect.objectContaining({ tagStatus: 'untagged', countType: 'sinceImagePushed' }) }),
      expect.objectContaining({ selection: expect.objectContaining({ countType: 'imageCountMoreThan', countNumber: 7 }) }),
    ]);
  });
});
