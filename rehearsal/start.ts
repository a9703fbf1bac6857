/**
 * `npm start`: the project's main job on one machine. Brings the local rehearsal up (the three
 * images on a single-node swarm, an SSH endpoint, the outputs file), runs the shipped experiments
 * that apply locally against it with the chaos CLI, prints a results table and writes the report
 * of all journals. The rehearsal stays up afterwards (to look at, or to run more experiments
 * against) unless `--down` is given.
 *
 *   node --import tsx rehearsal/start.ts [--faults] [--down] [--verbose]
 *
 *   --faults    run the fault experiments (exhaustion, overload, network, disk, process kill, runtime
 *               restart) instead of the seed's six stops; report reports/rehearsal-faults.{md,html}
 *   --down      bring the rehearsal down at the end (`npm run rehearsal:down` does it later otherwise)
 *   --verbose   show each experiment's progress lines, not only its verdict
 *
 * Exit codes: 0 every experiment completed; 1 one did not, or a step failed; 2 a prerequisite is
 * missing (a Docker engine: the message says how to get one; a tool; a free port) or the command
 * line is wrong.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { platformOutputsSchema } from '../contract/outputs';
import { down } from './down';
import { PrerequisiteError, RehearsalError, StepFailedError } from './errors';
import { renderReport, runExperiment, type ExperimentResult } from './experiment-runs';
import { Progress } from './progress';
import { readRehearsalState } from './rehearsal-state';
import { resultsTable } from './results-table';
import { loadSettings, rehearsalFiles } from './settings';
import { waitForSteadyState } from './steady-state';
import { up } from './up';

const REPO_ROOT = path.resolve(__dirname, '..');
const USAGE = 'usage: npm start [-- --faults] [-- --down] [-- --verbose]';

/**
 * The shipped experiments that apply to the rehearsal: the seed's three stops, each by SSH
 * `docker stop` and by the orchestrator. (drain-instance and terminate-instance need AWS.)
 */
const SEED_EXPERIMENTS = [
  'stop-api-ssh.yaml',
  'stop-api-task.yaml',
  'stop-frontend-ssh.yaml',
  'stop-frontend-task.yaml',
  'stop-proxy-ssh.yaml',
  'stop-proxy-task.yaml',
] as const;

/**
 * `--faults`: the fault experiments of the plain-HTTP rehearsal. (acme-outage.yaml needs the ACME
 * mode with a CA on loopback: `npm run test:e2e` runs it against Pebble.)
 */
const FAULT_EXPERIMENTS = [
  'api-memory-exhaustion.yaml',
  'api-cpu-saturation.yaml',
  'heavy-requests.yaml',
  'api-latency.yaml',
  'api-packet-loss.yaml',
  'api-blackhole.yaml',
  'disk-fill.yaml',
  'api-process-kill.yaml',
  'docker-daemon-restart.yaml',
] as const;

/** Words joined into lines of at most 100 characters, each after `indent`. */
function wrap(words: readonly string[], indent: string): string {
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.length - 1;
    if (last >= 0 && indent.length + lines[last].length + 1 + word.length <= 100) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.map((line) => indent + line).join('\n');
}

function help(): string {
  const names = (files: readonly string[]) =>
    wrap(
      files.map((f, i) => f + (i < files.length - 1 ? ',' : '')),
      '                 ',
    );
  return `${USAGE}

The platform on a local single-node Docker Swarm, the shipped experiments against it, one report.

  (no option)  rehearsal up (builds what is missing; plain HTTP), then the ${SEED_EXPERIMENTS.length} seed experiments,
               one progress line each, the results table, reports/rehearsal.md and .html:
${names(SEED_EXPERIMENTS)}
  --faults     the ${FAULT_EXPERIMENTS.length} fault experiments instead:
${names(FAULT_EXPERIMENTS)}
  --down       take the rehearsal down afterwards (default: it stays up for more experiments:
               npm run chaos -- run chaos/experiments/<x>.yaml --yes)
  --verbose    every line of every experiment, not one per experiment
  --help       this text

Journals go to journals/rehearsal-<UTC time>/. Exit codes: 0 every experiment completed, 1 one did
not or a step failed, 2 a prerequisite is missing or an option is unknown.
More: rehearsal/README.md.
`;
}

/** The ACME mode would put HTTPS redirects in front of the experiments' HTTP probes: `npm start` runs plain HTTP. */
const ACME_VARIABLES = ['REHEARSAL_DOMAIN', 'REHEARSAL_ACME_DIRECTORY', 'REHEARSAL_ACME_CA'] as const;

interface Options {
  readonly faults: boolean;
  readonly down: boolean;
  readonly verbose: boolean;
}

/** The options, `'help'`, or the first argument that is not an option (a usage error). */
function parseArgs(argv: readonly string[]): Options | 'help' | { readonly unknown: string } {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const known = new Set(['--faults', '--down', '--verbose']);
  const unknown = argv.find((arg) => !known.has(arg));
  if (unknown !== undefined) return { unknown };
  return { faults: argv.includes('--faults'), down: argv.includes('--down'), verbose: argv.includes('--verbose') };
}

/** `journals/rehearsal-<UTC time>`: one directory per `npm start`, so the report covers exactly this run. */
function journalDir(): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return path.join(REPO_ROOT, 'journals', `rehearsal-${stamp}`);
}

async function start(options: Options, progress: Progress): Promise<number> {
  const ignored = ACME_VARIABLES.filter((name) => (process.env[name] ?? '') !== '');
  if (ignored.length > 0)
    progress.note(`ignoring ${ignored.join(', ')}: npm start runs the proxy in plain HTTP (the experiments probe http://)`);
  const settings = loadSettings(REPO_ROOT, { ...process.env, ...Object.fromEntries(ACME_VARIABLES.map((name) => [name, ''])) });
  await up(settings, progress);

  const files = rehearsalFiles(settings);
  const state = readRehearsalState(files.state);
  if (state === undefined) throw new StepFailedError(`${files.state} is missing after up`);
  const outputs = platformOutputsSchema.parse(JSON.parse(readFileSync(files.outputs, 'utf8')));
  const journals = journalDir();
  mkdirSync(journals, { recursive: true });

  // Ctrl-C reaches the running experiment too (same process group): it stops and rolls back. A
  // signal sent to this process alone is passed on. Either way no further experiment starts.
  let interrupted: NodeJS.Signals | undefined;
  let running: ChildProcess | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = signal;
    progress.note(`${signal}: the running experiment stops and rolls back; no further experiment starts`);
    running?.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const experiments: readonly string[] = options.faults ? FAULT_EXPERIMENTS : SEED_EXPERIMENTS;
  const reportName = options.faults ? 'rehearsal-faults' : 'rehearsal';
  const results: ExperimentResult[] = [];
  try {
    for (const [i, file] of experiments.entries()) {
      if (interrupted !== undefined) break;
      await waitForSteadyState(state.dockerHost, outputs.publicUrl);
      const result = await progress.step(`experiment ${i + 1}/${experiments.length} ${file}`, async (step) => {
        const r = await runExperiment(path.join(REPO_ROOT, 'chaos', 'experiments', file), {
          repoRoot: REPO_ROOT,
          outputs: files.outputs,
          journal: path.join(journals, file.replace(/\.yaml$/, '.json')),
          onProgress: options.verbose ? (line) => process.stdout.write(`    ${line}\n`) : undefined,
          onChild: (child) => (running = child),
        });
        step.detail(r.verdict.replace(/; journal .*$/, ''));
        return r;
      });
      results.push(result);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  process.stdout.write(`\n${resultsTable(results, REPO_ROOT)}\n\n`);
  const written = results.filter((r) => r.hasJournal).map((r) => r.journal);
  if (written.length > 0) {
    for (const [format, out] of [
      ['markdown', `reports/${reportName}.md`],
      ['html', `reports/${reportName}.html`],
    ] as const) {
      mkdirSync(path.join(REPO_ROOT, 'reports'), { recursive: true });
      const report = await progress.step(`report ${out}`, async (step) => {
        const r = await renderReport(
          REPO_ROOT,
          written.map((j) => path.relative(REPO_ROOT, j)),
          format,
          path.join(REPO_ROOT, out),
        );
        step.detail(
          r.code === 0 ? `${written.length} journals` : `not written (chaos report exited ${r.code}: ${r.output.split('\n').pop() ?? ''})`,
        );
        return r;
      });
      if (report.code !== 0 && format === 'markdown') return 1;
    }
  }

  if (options.down) {
    await down(settings, { purge: false }, progress);
  } else {
    progress.note(
      `the rehearsal is still up (${outputs.publicUrl}/): run more with \`npm run chaos -- run chaos/experiments/<x>.yaml --yes\`; \`npm run rehearsal:down\` stops it`,
    );
  }
  const completed = results.filter((r) => r.code === 0 && r.status === 'completed').length;
  progress.note(
    `${completed} of ${experiments.length} experiments completed${interrupted === undefined ? '' : ` (interrupted by ${interrupted})`}; journals in ${path.relative(REPO_ROOT, journals)}/`,
  );
  return completed === experiments.length ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  if (options === 'help') {
    process.stdout.write(help());
    return 0;
  }
  if ('unknown' in options) {
    process.stderr.write(`npm start: unknown option ${JSON.stringify(options.unknown)} (see npm start -- --help)\n${USAGE}\n`);
    return 2;
  }
  const progress = new Progress();
  progress.note('npm start: the platform on a local single-node swarm, the shipped experiments against it, one report');
  return start(options, progress);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (!(error instanceof RehearsalError)) throw error;
    process.stderr.write(`\nnpm start: ${error.message}\n`);
    if (!(error instanceof PrerequisiteError)) process.stderr.write('(`npm run rehearsal:down` stops whatever was started)\n');
    process.exitCode = error instanceof PrerequisiteError ? 2 : 1;
  },
);
