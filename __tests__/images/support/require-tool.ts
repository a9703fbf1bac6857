/**
 * System tools the tool tests run for real (go, nginx, chromium, …). `npm test` installs them first
 * (`npm run setup`); a tool still missing fails the run with the package to install, never a skip
 * that a green run would hide.
 */
import { findTool } from '../../../rehearsal/tools';

// One lookup (PATH plus the sbin directories) for the tests and the rehearsal alike.
export { findTool };

/**
 * The absolute path of `command`. When it is missing, registers a failing test that names
 * `aptPackage` and the setup command, and returns undefined: the caller does not run the tests
 * that need the tool, and the run fails. Call it at the top level of a test file.
 */
export function requireTool(command: string, aptPackage: string): string | undefined {
  const found = findTool(command);
  if (found !== undefined) return found;
  test(`system tool ${command} (Debian package ${aptPackage}) is installed`, () => {
    throw new Error(`${command} is not installed: run \`npm run setup\` (as root), or apt-get install ${aptPackage}`);
  });
  return undefined;
}
