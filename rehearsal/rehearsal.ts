/**
 * The local rehearsal's command line: the platform's three images on a single-node Docker Swarm,
 * an SSH endpoint to its engine, and a `PlatformOutputs` file for the chaos module.
 *
 *   node --import tsx rehearsal/rehearsal.ts up
 *   node --import tsx rehearsal/rehearsal.ts down [--purge]
 *   node --import tsx rehearsal/rehearsal.ts restart-engine   (what .rehearsal/restart-engine runs)
 *
 * Exit codes: 0 done, 1 a step failed, 2 a prerequisite is missing (a tool, a Docker engine, a free
 * port, a valid setting) or the command line is wrong.
 */
import * as path from 'node:path';
import { formatRuntimeRestart } from '../contract/runtime-restart';
import { restartOwnEngine } from './docker-engine';
import { down } from './down';
import { PrerequisiteError, RehearsalError } from './errors';
import { loadSettings } from './settings';
import { up } from './up';
import { nodeControl, UsageError } from './node-control';
import { parseNodesOption } from './nodes';
import { Progress } from './progress';

const USAGE =
  'usage: rehearsal up [--nodes N] | rehearsal down [--purge] | rehearsal restart-engine | rehearsal node-control <terminate|cut-zone|restore-zone|status> ...';
const REPO_ROOT = path.resolve(__dirname, '..');

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'up') {
    // Bad --nodes: one line, exit 2, before anything starts.
    const { nodes, rest: others } = parseNodesOption(rest);
    if (others.length === 0) {
      await up(loadSettings(REPO_ROOT), new Progress(), { nodes });
      return 0;
    }
  }
  if (command === 'node-control') {
    try {
      const result = await nodeControl(loadSettings(REPO_ROOT), rest);
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof UsageError) {
        process.stderr.write(`node-control: ${error.message}\n`);
        return 2;
      }
      process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
      return 1;
    }
  }
  if (command === 'down' && rest.every((arg) => arg === '--purge')) {
    await down(loadSettings(REPO_ROOT), { purge: rest.includes('--purge') });
    return 0;
  }
  if (command === 'restart-engine' && rest.length === 0) {
    process.stdout.write(formatRuntimeRestart(await restartOwnEngine(loadSettings(REPO_ROOT))));
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (!(error instanceof RehearsalError)) throw error;
    process.stderr.write(`\nrehearsal: ${error.message}\n`);
    // A failed up leaves what it started running, to be looked at; say how to stop it.
    if (process.argv[2] === 'up' && !(error instanceof PrerequisiteError))
      process.stderr.write('(`rehearsal down` stops whatever up started)\n');
    process.exitCode = error instanceof PrerequisiteError ? 2 : 1;
  },
);
