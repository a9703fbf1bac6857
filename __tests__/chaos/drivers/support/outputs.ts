import type { PlatformOutputs } from '../../../../contract/outputs';
import { outputsFor } from '../../helpers/outputs-fixture';

/** Outputs for driver tests: the shared fixture, with what a test changes. */
export function testOutputs(overrides: Partial<PlatformOutputs> = {}): PlatformOutputs {
  return { ...outputsFor('http://127.0.0.1:1'), ...overrides };
}

/** The same outputs as an AWS deployment would emit them. */
export function awsOutputs(overrides: Partial<PlatformOutputs> = {}): PlatformOutputs {
  return testOutputs({ target: 'aws', ...overrides });
}
