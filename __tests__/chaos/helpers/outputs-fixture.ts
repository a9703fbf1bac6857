import type { LocalOutputs } from '../../../contract/outputs';

/** A valid outputs object whose public URL is a local server. */
export function outputsFor(publicUrl: string): LocalOutputs {
  const service = (name: string, port: number) => ({
    serviceName: `platform-test-${name}`,
    containerName: name,
    port,
    healthPath: '/healthz',
    taskFamily: `platform-test-${name}`,
    logGroup: `/platform/test/${name}`,
  });
  return {
    target: 'local',
    environment: 'test',
    region: 'us-east-1',
    clusterName: 'platform-test',
    clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/platform-test',
    services: { frontend: service('frontend', 8081), api: service('api', 8080), proxy: service('proxy', 80) },
    asgName: 'platform-test-asg',
    publicIp: '127.0.0.1',
    publicUrl: `${publicUrl}/`,
    sshUser: 'ec2-user',
    sshHost: '127.0.0.1',
    sshPort: 2222,
    certificateVolume: 'platform-test-certs',
    repositoryUrls: { frontend: 'ecr/frontend', api: 'ecr/api', proxy: 'ecr/proxy' },
  };
}
