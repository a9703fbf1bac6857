import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { contextFor } from './context';
import { awsOutputs } from './outputs';

/**
 * ECS and Auto Scaling mocked at the SDK boundary for the ECS driver's tests, reset before each
 * test; `clients` are what a context is given, `aws()` a context on the AWS outputs. Call it at
 * the top level of a test file.
 */
export function mockEcsClients() {
  const ecsMock = mockClient(ECSClient);
  const asgMock = mockClient(AutoScalingClient);
  const clients = { ecs: () => new ECSClient({ region: 'us-east-1' }), autoScaling: () => new AutoScalingClient({ region: 'us-east-1' }) };
  const aws = () => contextFor(awsOutputs(), clients);
  beforeEach(() => {
    ecsMock.reset();
    asgMock.reset();
  });
  return { ecsMock, asgMock, clients, aws };
}
