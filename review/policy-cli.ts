import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../stacks/app';
import { DEFAULT_CONFIG_FILE, InvalidConfigError, loadConfig } from '../stacks/config';
import { blockingFindings } from '../stacks/policy/evaluate';
import { renderReport, summary } from '../stacks/policy/report-text';
import { renderRuleTable, renderRulesMarkdown } from '../stacks/policy/rule-table';
import { RULES } from '../stacks/policy/rules';
import { InvalidSuppressionError } from '../stacks/policy/suppression';
import { PLATFORM_SUPPRESSIONS } from '../stacks/policy/suppressions';

/**
 * `npm run policy`: the security policy over every environment of the platform config.
 *
 * Exit status: 0 when no error finding is left unsuppressed, 1 when one is, 2 for a usage or config
 * error (one line on stderr).
 */

const USAGE = `usage: npm run policy -- [--config FILE] | --list [--markdown] | --help

Builds one stack per environment of the platform config, runs every policy rule on each, prints each
rule's result (pass, suppressed with its reason, FAIL with findings and the fix), then synthesizes the
stacks into a temporary directory (synth enforces the same policy).

  --config FILE  the platform config (default: $PLATFORM_CONFIG, else ${DEFAULT_CONFIG_FILE})
  --list         print the rules: id, severity, checkov and trivy equivalents, title
  --markdown     with --list: as Markdown (npm run -s policy -- --list --markdown > stacks/policy/RULES.md;
                 -s keeps npm's banner out of the file)
  --help         print this help

exit status: 0 passed, 1 an unsuppressed error finding, 2 usage or config error`;

/** The command line asks for something that does not exist. */
class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where output goes; tests pass their own. */
interface Output {
  out(text: string): void;
  err(text: string): void;
}

type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'list'; readonly markdown: boolean }
  | { readonly kind: 'check'; readonly configFile: string };

/**
 * The message of a parseArgs error (an unknown option, a stray argument), told apart by its
 * ERR_PARSE_ARGS_* code rather than its class: the class comes from Node's own realm.
 */
function parseArgsMessage(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err) || !('message' in err)) return undefined;
  return typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS') ? String(err.message) : undefined;
}

function parseCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Command {
  let values: { list?: boolean; markdown?: boolean; help?: boolean; config?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { list: { type: 'boolean' }, markdown: { type: 'boolean' }, help: { type: 'boolean' }, config: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    const message = parseArgsMessage(err);
    if (message !== undefined) throw new UsageError(`${message} (see --help)`);
    throw err;
  }
  if (values.help) return { kind: 'help' };
  if (values.markdown && !values.list) throw new UsageError('--markdown only goes with --list');
  if (values.list) {
    if (values.config !== undefined) throw new UsageError('--list prints the rules of every stack; it takes no --config');
    return { kind: 'list', markdown: values.markdown === true };
  }
  return { kind: 'check', configFile: values.config ?? (env.PLATFORM_CONFIG || DEFAULT_CONFIG_FILE) };
}

function list(markdown: boolean, io: Output): number {
  io.out(markdown ? renderRulesMarkdown(RULES, PLATFORM_SUPPRESSIONS) : `${renderRuleTable(RULES)}\n\n${RULES.length} rules\n`);
  return 0;
}

function check(configFile: string, io: Output): number {
  const config = loadConfig(configFile);
  const outdir = mkdtempSync(join(tmpdir(), 'platform-policy-'));
  try {
    const { app, stacks } = buildApp(config, { outdir });
    io.out(`policy: ${RULES.length} rules on ${stacks.map((s) => s.node.id).join(', ')} (${configFile})\n\n`);
    const reports = stacks.map((stack) => stack.policy.check());
    for (const report of reports) io.out(`${renderReport(report)}\n\n`);
    const blocking = reports.flatMap(blockingFindings).length;
    if (blocking === 0) {
      app.synth();
      io.out('synth: every stack synthesized with the policy enforced\n');
    } else {
      io.out(`synth: skipped; it stops at the same ${blocking} error finding(s)\n`);
    }
    io.out(`${summary(reports)}\n`);
    return blocking === 0 ? 0 : 1;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Runs the command line; returns the exit status. Only the known error vocabulary becomes status 2. */
export function main(argv: readonly string[], io: Output, env: NodeJS.ProcessEnv = process.env): number {
  try {
    const command = parseCommand(argv, env);
    switch (command.kind) {
      case 'help':
        io.out(`${USAGE}\n`);
        return 0;
      case 'list':
        return list(command.markdown, io);
      case 'check':
        return check(command.configFile, io);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof InvalidConfigError || err instanceof InvalidSuppressionError) {
      io.err(`policy: ${err.message.replace(/\s*\n\s*/g, '; ')}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}
