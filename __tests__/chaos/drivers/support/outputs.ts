import type { AwsOutputs, LocalOutputs } from '../../../../contract/outputs';
import { outputsFor } from '../../helpers/outputs-fixture';

/** Outputs for driver tests: the shared fixture, with what a test changes. */
export function testOutputs(overrides: Partial<LocalOutputs> = {}): LocalOutputs {
  return { ...outputsFor('http://127.0.0.1:1'), ...overrides };
}

/** The same outputs as an AWS deployment with SSH opened would emit them (`hostAccess: 'ssm'` to test SSM). */
export function awsOutputs(overrides: Partial<AwsOutputs> = {}): AwsOutputs {
  return { ...outputsFor('http://127.0.0.1:1'), target: 'aws', hostAccess: 'ssh', ...overrides };
}
