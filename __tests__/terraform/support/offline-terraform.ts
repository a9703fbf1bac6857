import { join } from 'node:path';
import { type OfflineTerraform, offlineTerraform, TerraformUnavailableError } from '../../../review/terraform';

/**
 * The offline Terraform of a test file (its CLI config and plugin cache under `<workDir>/cli`), or,
 * when Terraform or the provider mirror is missing, undefined with a failing test registered that
 * says why: a missing Terraform is a failed run, never a silent pass (`npm run setup` says how to
 * get one). Register the file's suites with {@link describeWithTerraform}.
 */
export function offlineTerraformForTests(workDir: string): OfflineTerraform | undefined {
  try {
    return offlineTerraform(join(workDir, 'cli'));
  } catch (err) {
    if (!(err instanceof TerraformUnavailableError)) throw err;
    const message = `Terraform checks cannot run: ${err.message}`;
    test('Terraform is available', () => {
      throw new Error(message);
    });
    return undefined;
  }
}

/** `describe` when Terraform is there; otherwise the suite is not run, and the failing test above says why. */
export function describeWithTerraform(tf: OfflineTerraform | undefined): jest.Describe {
  return tf ? describe : describe.skip;
}
