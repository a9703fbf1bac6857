/**
 * `node --import tsx setup/cli.ts start|test`: installs the system packages `npm start` or
 * `npm test` needs (as root, with apt-get), or exits 2 naming the command that would. `npm test`
 * and `.ci/run` run it first, `npm start` calls the same function.
 *
 * Exit codes: 0 everything is there; 2 something is missing that this cannot install (not root, no
 * apt-get, no Terraform) or the command line is wrong; 1 an install step failed.
 */
import { findTool } from './find-tool';
import { ensureSystemPackages, processSetupEnvironment, SetupError } from './install';

const USAGE = 'usage: node --import tsx setup/cli.ts start|test';

/** Terraform is no Debian package: the machine image brings it, or TERRAFORM_BIN names it. */
function terraformMissing(): string | null {
  const bin = process.env.TERRAFORM_BIN;
  if (bin !== undefined && bin !== '') return null;
  if (findTool('terraform') !== undefined) return null;
  return '`npm test` checks the stack with a real Terraform CLI, and none is on the PATH: install Terraform >= 1.10 (HashiCorp packages it, Debian does not) or set TERRAFORM_BIN to its path';
}

async function main(argv: readonly string[]): Promise<number> {
  const purpose = argv[0];
  if (argv.length !== 1 || (purpose !== 'start' && purpose !== 'test')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    await ensureSystemPackages(
      purpose,
      processSetupEnvironment((line) => process.stderr.write(`setup | ${line}\n`)),
    );
  } catch (error) {
    if (!(error instanceof SetupError)) throw error;
    process.stderr.write(`setup: ${error.message}\n`);
    return error.message.startsWith('apt-get ') ? 1 : 2;
  }
  const terraform = purpose === 'test' ? terraformMissing() : null;
  if (terraform !== null) {
    process.stderr.write(`setup: ${terraform}\n`);
    return 2;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`setup: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
