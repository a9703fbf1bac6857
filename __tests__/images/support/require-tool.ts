/**
 * System tools the image tests run for real (go, nginx). A missing tool fails the run in CI
 * (CI=true) with the Debian package to install; elsewhere it skips the tests that need it, loudly.
 */
import { findTool } from '../../../rehearsal/tools';

// One lookup (PATH plus the sbin directories) for the tests and the rehearsal alike.
export { findTool };

/**
 * The absolute path of `command`. When it is missing: in CI, registers a failing test that
 * names `aptPackage`; otherwise prints a warning. Either way returns undefined, and the caller
 * skips the tests that need the tool. Call it at the top level of a test file.
 */
export function requireTool(command: string, aptPackage: string): string | undefined {
  const found = findTool(command);
  if (found !== undefined) return found;
  const message = `${command} is not installed: apt-get install ${aptPackage}`;
  if (process.env.CI === 'true') {
    test(`system tool ${command} (Debian package ${aptPackage}) is installed`, () => {
      throw new Error(message);
    });
  } else {
    console.warn(`\n!!!!!!!!\n!!! SKIPPING tests that need ${command}: ${message}\n!!!!!!!!\n`);
  }
  return undefined;
}
