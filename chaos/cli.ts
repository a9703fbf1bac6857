import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { InvalidExperimentError, InvalidOutputsError, UsageError, ChaosError, oneLine, TargetBusyError } from './errors';
import type { CliIo } from './io';
import type { RollbackStrategy } from './model/types';
import { writeJson } from './commands/json-output';
import { HYPOTHESIS_STRATEGIES, HYPOTHESIS_STRATEGY_ALIASES } from './engine/hypothesis-strategy';
import { SERVICE_NAMES, type ServiceName } from '../contract/services';
import { DEFAULT_INIT_FILE, INIT_FAULTS, type InitFault } from './commands/init-options';

/** Exit codes: the contract with scripts and CI. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** `--host-access`: how host faults reach the instance, when not as the outputs say. */
const hostAccessOption = (): Option =>
  new Option(
    '--host-access <access>',
    "reach the instance over SSM Run Command or SSH (default: the outputs' hostAccess; SSH locally)",
  ).choices(['ssm', 'ssh']);

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--var` and `--var-file`, as chaostoolkit's run takes them (repeatable; files first, then each --var). */
function addVarOptions(command: Command): Command {
  return command
    .option(
      '--var <name[:type]=value>',
      'override a configuration entry (repeatable; type str (default), int or float), e.g. --var https_url=https://app.example.com/',
      collect,
      [],
    )
    .option(
      '--var-file <file>',
      "JSON/YAML {configuration: {…}, secrets: {scope: {…}}} over the experiment's own, or a .env file of environment variables (repeatable, later files win)",
      collect,
      [],
    );
}

/** `--hypothesis-frequency`: a number of seconds, above zero and at most an hour. */
function parseFrequency(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new InvalidArgumentError('expected seconds between checks, above 0 and at most 3600, e.g. --hypothesis-frequency 0.5.');
  }
  return seconds;
}

/** `--journal` or its chaostoolkit name `--journal-path`: both may be given only when they agree. */
function journalOption(journal: string | undefined, journalPath: string | undefined): string | undefined {
  if (journal !== undefined && journalPath !== undefined && journal !== journalPath) {
    throw new UsageError(`--journal ${journal} and --journal-path ${journalPath} name two files: give one of them`);
  }
  return journal ?? journalPath;
}

/** The package's version (`chaos --version`): package.json is the one place it is written. */
export function packageVersion(): string {
  const parsed: unknown = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  const version = typeof parsed === 'object' && parsed !== null && 'version' in parsed ? parsed.version : undefined;
  return typeof version === 'string' ? version : 'unknown';
}

const SETTINGS_HELP =
  "settings file: notifications, webhooks posted on run events (default: CHAOS_SETTINGS, else ~/.chaos/settings.yaml when it exists; chaostoolkit's --settings)";

const RUN_EXAMPLES = `
Examples:
  $ npx chaos run chaos/experiments/http-smoke.yaml --dry-run
  $ npx chaos run chaos/experiments/stop-api-task.yaml --outputs outputs.json --stack dev --dry-run --live   # read-only AWS calls
  $ npx chaos run chaos/experiments/stop-api-task.yaml --outputs outputs.json --stack dev --yes
  $ npx chaos run chaos/experiments/stop-api-ssh.yaml --yes --journal journals/api.json   # the rehearsal's .rehearsal/outputs.json
  $ npx chaos run chaos/experiments/stop-api-task.yaml --outputs outputs.json --stack prod --yes --report html   # journals/<slug>-<time>.html too
  $ npx chaos run chaos/experiments/stop-api-task.yaml --outputs outputs.json --stack dev --yes --rollback-strategy deviated
  $ npx chaos run chaos/experiments/http-smoke.yaml --journal-path journals/smoke.json --json > verdict.json
  $ npx chaos run chaos/experiments/stop-api-task.yaml --outputs outputs.json --stack dev --yes --hypothesis-strategy continuously --hypothesis-frequency 2 --fail-fast
  $ npx chaos run chaos/experiments/acme-outage.yaml --dry-run --var https_url=https://app.example.com/   # over its configuration
  $ npx chaos run chaos/experiments/stop-api-task.yaml --outputs outputs.json --stack dev --yes --settings chaos-settings.yaml   # webhooks on run events

The stacks are the environments of config/environments.json (dev, prod): \`npx cdktf deploy dev
--outputs-file outputs.json\` writes the outputs file that --outputs and --stack read.

Outputs are read from --outputs, else outputs.json, else .rehearsal/outputs.json.
Exit codes: 0 the steady state held and recovery met its objective; 1 failed, deviated,
aborted or interrupted; 2 bad input or usage.`;

function declare(io: CliIo, setCode: (code: number) => void): Command {
  const program = new Command('chaos')
    .description('Inject faults into the platform and prove that it recovers: steady state, fault, recovery, rollbacks.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: () => undefined, outputError: () => undefined })
    .showSuggestionAfterError(true)
    .version(packageVersion(), '-V, --version', 'print the version of the tool (package.json) and exit')
    .option('--settings <file>', SETTINGS_HELP)
    .addHelpText(
      'after',
      "\nRun `npx chaos <command> --help` for examples. `npx chaos …` and `npm run -s chaos -- …` keep npm's banner\nout of the output (plain `npm run chaos` prints it on stdout, into a redirected file).",
    );

  addVarOptions(program.command('run'))
    .description('Run experiments against the platform named by the stack outputs; writes a journal per experiment')
    .argument('<experiment...>', 'experiment files (YAML or JSON, native or chaostoolkit 1.x)')
    .option('--outputs <file>', 'stack outputs (cdktf --outputs-file, terraform output -json, or the plain object)')
    .option('--stack <name>', 'stack to use when the outputs file holds several')
    .option('--dry-run', 'resolve targets and print exactly what would be done; touch nothing')
    .option('--live', 'with --dry-run: also the account guard and the targets the faults would hit, read-only (List/Describe)')
    .option('--journal <file>', 'where to write the journal (default journals/<slug>-<timestamp>.json)')
    .option('--journal-path <file>', "the same as --journal (chaostoolkit's name)")
    .option('--json', 'print one JSON object on stdout: per experiment its verdict, status, reasons and journal (progress stays on stderr)')
    .option('--yes', 'confirm destructive faults (required to run them)')
    .option('--force', 'overwrite an existing journal file')
    .option('--quiet', 'no progress output, only the verdict')
    .option('--settings <file>', SETTINGS_HELP)
    .addOption(hostAccessOption())
    .addOption(
      new Option(
        '--hypothesis-strategy <strategy>',
        "when the steady state is checked (chaostoolkit's): default before and after the method, before-method-only, after-method-only, during-method (every --hypothesis-frequency seconds while it runs), continuously (before, during and after); chaostoolkit's spellings during-method-only and continously are accepted",
      ).choices([...HYPOTHESIS_STRATEGIES, ...Object.keys(HYPOTHESIS_STRATEGY_ALIASES)]),
    )
    .option('--hypothesis-frequency <seconds>', 'seconds between two checks during the method (default 1)', parseFrequency)
    .option('--fail-fast', 'during the method: the first check not met fails the run and stops the method after its current activity')
    .addOption(
      new Option(
        '--rollback-strategy <strategy>',
        "when the experiment's rollbacks run, over its rollback-strategy (chaostoolkit's; faults are undone whatever it says): default (also when none is named) unless the run failed or was interrupted, always, never, deviated only if the steady state deviated",
      ).choices(['default', 'always', 'never', 'deviated']),
    )
    .addOption(
      new Option('--report <format>', 'also write a report beside each journal (<journal>.html or .md)').choices(['markdown', 'html']),
    )
    .addHelpText('after', RUN_EXAMPLES)
    .action(
      async (
        experiments: string[],
        opts: {
          outputs?: string;
          stack?: string;
          dryRun?: boolean;
          live?: boolean;
          journal?: string;
          yes?: boolean;
          force?: boolean;
          quiet?: boolean;
          report?: 'markdown' | 'html';
          hostAccess?: 'ssm' | 'ssh';
          var: string[];
          varFile: string[];
          rollbackStrategy?: RollbackStrategy;
          hypothesisStrategy?: string;
          hypothesisFrequency?: number;
          failFast?: boolean;
          journalPath?: string;
          json?: boolean;
          settings?: string;
        },
      ) => {
        const { runCommand } = await import('./commands/run');
        setCode(
          await runCommand(
            {
              experiments,
              outputs: opts.outputs,
              stack: opts.stack,
              dryRun: opts.dryRun === true,
              live: opts.live === true,
              journal: journalOption(opts.journal, opts.journalPath),
              yes: opts.yes === true,
              force: opts.force === true,
              quiet: opts.quiet === true,
              report: opts.report,
              hostAccess: opts.hostAccess,
              vars: opts.var,
              varFiles: opts.varFile,
              rollbackStrategy: opts.rollbackStrategy,
              hypothesisStrategy: opts.hypothesisStrategy,
              hypothesisFrequency: opts.hypothesisFrequency,
              failFast: opts.failFast === true,
              json: opts.json === true,
              settings: opts.settings ?? program.opts<{ settings?: string }>().settings,
            },
            io,
          ),
        );
      },
    );

  program
    .command('rollback')
    .description('Run the rollbacks of a run that was killed or interrupted before its own (its journal still says `running`)')
    .argument('<journal>', 'the journal the run wrote (it names the experiment, the outputs and what was injected)')
    .option('--outputs <file>', 'act on these stack outputs instead of the file the run used')
    .option('--stack <name>', 'stack to use when the outputs file holds several')
    .option('--force', 'run the rollbacks again although the journal says they ran')
    .option('--yes', "confirm process activities among the experiment's rollbacks")
    .option('--quiet', 'no progress output, only the verdict')
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx chaos rollback journals/stop-api-task-2026-12-01T07-30-00-000Z.json\n\nExit codes: 0 every rollback succeeded; 1 one failed; 2 bad input, or the run is still going.',
    )
    .action(async (journal: string, opts: { outputs?: string; stack?: string; force?: boolean; yes?: boolean; quiet?: boolean }) => {
      const { rollbackCommand } = await import('./commands/rollback');
      setCode(
        await rollbackCommand(
          {
            journal,
            outputs: opts.outputs,
            stack: opts.stack,
            force: opts.force === true,
            yes: opts.yes === true,
            quiet: opts.quiet === true,
          },
          io,
        ),
      );
    });

  program
    .command('halt')
    .description(
      'Emergency stop: every run on this machine aborts within a second, runs its rollbacks, ends `aborted`; new runs are refused',
    )
    .option('--release', 'let runs start again')
    .option('--reason <text>', 'why, recorded in the journals of the runs it stops')
    .addHelpText('after', '\nExamples:\n  $ npx chaos halt --reason "pager: checkout errors"\n  $ npx chaos halt --release')
    .action(async (opts: { release?: boolean; reason?: string }) => {
      const { haltCommand } = await import('./commands/halt');
      setCode(await haltCommand({ release: opts.release === true, reason: opts.reason }, io));
    });

  addVarOptions(program.command('validate'))
    .description('Check experiment files against the schema (and, with --outputs, their targets against the outputs)')
    .argument('<experiment...>', 'experiment files')
    .option('--outputs <file>', 'also check fault targets against these stack outputs')
    .option('--stack <name>', 'stack to use when the outputs file holds several')
    .option('--json', 'print one JSON object on stdout: per file valid or not, and why (the problem lines stay on stderr)')
    .addOption(hostAccessOption())
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx chaos validate chaos/experiments/*.yaml\n  $ npx chaos validate chaos/experiments/*.yaml --json | jq ".experiments[] | select(.valid == false)"\n  $ npx chaos validate chaos/experiments/stop-api-task.yaml --outputs outputs.json --stack dev\n  $ npx chaos validate chaos/experiments/acme-outage.yaml --var-file vars.yaml   # {configuration: {https_url: …}}',
    )
    .action(
      async (
        experiments: string[],
        opts: { outputs?: string; stack?: string; hostAccess?: 'ssm' | 'ssh'; var: string[]; varFile: string[]; json?: boolean },
      ) => {
        const { validateCommand } = await import('./commands/validate');
        setCode(
          await validateCommand(
            {
              experiments,
              outputs: opts.outputs,
              stack: opts.stack,
              hostAccess: opts.hostAccess,
              vars: opts.var,
              varFiles: opts.varFile,
              json: opts.json === true,
            },
            io,
          ),
        );
      },
    );

  program
    .command('list')
    .description('List the faults and probes experiments can use (generated from the driver modules)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'markdown', 'json']).default('text'))
    .addHelpText('after', '\nExamples:\n  $ npx chaos list\n  $ npx chaos list --format markdown > chaos/FAULTS.md')
    .action(async (opts: { format: 'text' | 'markdown' | 'json' }) => {
      const { listCommand } = await import('./commands/list');
      setCode(await listCommand({ format: opts.format }, io));
    });

  program
    .command('report')
    .description(
      'Render journals as a Markdown report or one self-contained HTML page (verdict, figures, timeline chart, hypothesis tables, activities, rollbacks)',
    )
    .argument('<journal...>', 'journal files written by `run` (several: one report that compares them)')
    .option('--out <file>', 'write the report to a file instead of stdout')
    .addOption(
      new Option('--format <format>', 'report format (default: html when --out ends in .html, else markdown)').choices([
        'markdown',
        'html',
      ]),
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx chaos report journals/http-smoke-*.json\n  $ npx chaos report journals/api.json --out report.md\n  $ npx chaos report journals/api-*.json --format html --out report.html',
    )
    .action(async (journals: string[], opts: { out?: string; format?: 'markdown' | 'html' }) => {
      const { reportCommand } = await import('./commands/report');
      setCode(await reportCommand({ journals, out: opts.out, format: opts.format }, io));
    });

  program
    .command('init')
    .description('Write a starter experiment for this stack: steady state through the proxy, one fault, recovery objective, rollbacks')
    .argument('[file]', `where to write it, .yaml or .yml (default ${DEFAULT_INIT_FILE})`)
    .addOption(new Option('--service <service>', 'the service the fault hits').choices([...SERVICE_NAMES]).default('api'))
    .addOption(
      new Option('--fault <fault>', "the orchestrator's stop (ECS StopTask; swarm locally) or docker stop on the host (SSM or SSH)")
        .choices([...INIT_FAULTS])
        .default('ecs:stop-task'),
    )
    .option('--force', 'replace an existing file')
    .addHelpText(
      'after',
      `
Examples:
  $ npx chaos init                 # ${DEFAULT_INIT_FILE}: ecs:stop-task on the api
  $ npx chaos init chaos/experiments/my-frontend.yaml --service frontend
  $ npx chaos init proxy-on-host.yaml --service proxy --fault ssh:docker-stop
  $ npx chaos init ${DEFAULT_INIT_FILE} --force # replace it
  $ npx chaos validate ${DEFAULT_INIT_FILE} && npx chaos run ${DEFAULT_INIT_FILE} --outputs outputs.json --stack dev --dry-run

The file validates as written; its first line points editors at the schema. The api and the frontend
run two copies, so their availability objective is 100 %; stopping the proxy is an outage, so its
experiment asks for no minimum. Exit codes: 0 written; 2 the file exists (without --force) or bad usage.`,
    )
    .action(async (file: string | undefined, opts: { service: ServiceName; fault: InitFault; force?: boolean }) => {
      const { initCommand } = await import('./commands/init');
      setCode(await initCommand({ file, service: opts.service, fault: opts.fault, force: opts.force === true }, io));
    });

  program
    .command('schema')
    .description('Print the experiment JSON Schema (for editors: yaml-language-server, VS Code)')
    .option('--out <file>', 'write the schema to a file instead of stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  $ npx chaos schema --out chaos/schema/experiment.schema.json\n\nIn a YAML experiment: # yaml-language-server: $schema=../schema/experiment.schema.json',
    )
    .action(async (opts: { out?: string }) => {
      const { schemaCommand } = await import('./commands/schema');
      setCode(await schemaCommand({ out: opts.out }, io));
    });

  return program;
}

/** `run --json` or `validate --json`: errors are then reported in the JSON object as well. */
function jsonCommand(argv: readonly string[]): 'run' | 'validate' | null {
  const end = argv.indexOf('--');
  const args = end < 0 ? argv : argv.slice(0, end);
  const command = args.find((a) => !a.startsWith('-'));
  return (command === 'run' || command === 'validate') && args.includes('--json') ? command : null;
}

function usageLine(error: CommanderError): string {
  if (error.code === 'commander.help' || error.code === 'commander.missingCommand') {
    return 'a command is required: run, rollback, halt, validate, list, report, schema or init (see --help)';
  }
  return `${oneLine(error.message.replace(/^error:\s*/, ''))} (see --help)`;
}

/**
 * The CLI: parses `argv` (without node and script), runs the command, and maps every outcome to an
 * exit code and at most one line on stderr. The only place that decides exit codes.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const json = jsonCommand(argv);
  /** The CLI's own error line; with `run/validate --json`, also the one JSON object on stdout. */
  const fail = (line: string, exitCode: number): number => {
    io.stderr(`chaos: ${line}\n`);
    if (json !== null) writeJson(io, json, exitCode, { error: line, experiments: [] });
    return exitCode;
  };
  let code = EXIT_OK;
  const program = declare(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT_OK;
      return fail(usageLine(error), EXIT_USAGE);
    }
    if (
      error instanceof InvalidExperimentError ||
      error instanceof InvalidOutputsError ||
      error instanceof UsageError ||
      error instanceof TargetBusyError
    ) {
      return fail(error.message, EXIT_USAGE);
    }
    if (error instanceof ChaosError) {
      return fail(error.message, EXIT_FAILED);
    }
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (json !== null) writeJson(io, json, EXIT_FAILED, { error: `internal error: ${oneLine(detail)}`, experiments: [] });
    io.stderr(
      `chaos: internal error: ${oneLine(detail)}${io.env.CHAOS_DEBUG ? `\n${error instanceof Error ? (error.stack ?? '') : ''}` : ' (set CHAOS_DEBUG=1 for details)'}\n`,
    );
    return EXIT_FAILED;
  }
}
