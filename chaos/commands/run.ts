import { dirname, isAbsolute, resolve } from 'node:path';
import type { FaultCatalog } from '../faults/define-fault';
import { awsClientFactories, type ClientFactories } from '../adapters/aws-clients';
import { systemClock } from '../engine/clock';
import { progressSink, silentSink } from '../engine/events';
import { defaultJournalPath } from '../journal/journal-file';
import { gitCommit } from '../journal/git-commit';
import type { Journal } from '../../contract/journal';
import { describePlan } from '../engine/dry-run';
import { livePlan } from '../engine/live-plan';
import { needsYes, preflight, type DestructiveFault } from '../engine/preflight';
import { exitCodeFor, runExperiment } from '../engine/runner';
import { UsageError } from '../errors';
import type { CliIo } from '../io';
import type { Experiment, RollbackStrategy } from '../model/types';
import { writeReportBeside, type ReportFormat } from '../report/render';
import { checkJournalPath } from '../safety/journal-path';
import { haltReason, watchHalt } from '../safety/halt';
import { guardAccount, skippedLiveChecks, skippedWithLive } from '../safety/account-guard';
import { lockTarget } from '../safety/target-lock';
import { bindTarget } from '../targets/bind-target';
import { loadOutputs } from '../targets/outputs-discovery';
import { loadExperiments } from './load';
import { readCommandVars, refuseUndeclaredVars } from './vars';
import {
  checksAfter,
  checksBefore,
  checksDuring,
  DEFAULT_HYPOTHESIS_SCHEDULE,
  HYPOTHESIS_STRATEGY_ALIASES,
  type HypothesisSchedule,
  type HypothesisStrategy,
} from '../engine/hypothesis-strategy';
import { runJsonExperiment, writeJson, type RunJsonExperiment } from './json-output';
import { loadSettings } from '../settings/settings';
import { endEvents, Notifier } from '../settings/notifier';
import { redact } from '../journal/journal-file';
import { isJsonObject } from '../../contract/json';

export interface RunCommandOptions {
  readonly experiments: readonly string[];
  readonly outputs: string | undefined;
  readonly stack: string | undefined;
  readonly dryRun: boolean;
  /** `--live`, with `--dry-run` only: also the read-only live checks (account guard, targets resolved). */
  readonly live?: boolean;
  readonly journal: string | undefined;
  readonly yes: boolean;
  /** Overwrite an existing journal file. */
  readonly force?: boolean;
  readonly quiet: boolean;
  /** Also write a report of each journal beside it (`<journal>.html` or `.md`). */
  readonly report?: ReportFormat;
  /** `--host-access`: overrides the outputs' `hostAccess`. */
  readonly hostAccess?: 'ssm' | 'ssh' | undefined;
  /** `--json`: one JSON object on stdout instead of the verdict lines (see json-output.ts). */
  readonly json?: boolean;
  /** `--hypothesis-strategy` (chaostoolkit's spellings `during-method-only`, `continously` too). */
  readonly hypothesisStrategy?: string | undefined;
  /** `--hypothesis-frequency`: seconds between checks during the method. */
  readonly hypothesisFrequency?: number | undefined;
  /** `--fail-fast`: the first check not met during the method fails the run. */
  readonly failFast?: boolean;
  /** `--rollback-strategy`: over each experiment's own. */
  readonly rollbackStrategy?: RollbackStrategy | undefined;
  /** `--var name[:type]=value`, over the experiments' configuration. */
  readonly vars?: readonly string[];
  /** `--var-file`: JSON/YAML `{configuration, secrets}` or `.env`, in order. */
  readonly varFiles?: readonly string[];
  /** `--settings`: the settings file (else CHAOS_SETTINGS, else ~/.chaos/settings.yaml when it exists). */
  readonly settings?: string | undefined;
  /** Injected in tests; the default creates real AWS clients lazily. */
  readonly clients?: ClientFactories;
  /** Injected in tests; the default is every driver module. */
  readonly catalog?: FaultCatalog;
}

function refuseWithoutYes(experiment: Experiment, destructive: readonly DestructiveFault[]): void {
  throw new UsageError(`${experiment.file} ${needsYes(destructive)}; add --yes to run it (or --dry-run to see what it would do)`);
}

/** `, availability 100%` for one sampled probe; `, availability frontend 100%, api 93.1%` for several. */
function availabilityText(r: NonNullable<Journal['recovery']>): string {
  if (r.probes.length > 1) return `, availability ${r.probes.map((p) => `${p.probe} ${p.availability ?? 'n/a'}%`).join(', ')}`;
  return r.availability === null ? '' : `, availability ${r.availability}%`;
}

function verdictLine(journal: Journal, title: string, journalPath: string): string {
  const r = journal.recovery;
  const figures =
    r === null
      ? ''
      : `; recovered ${r.timeToRecoverMs === null ? 'no' : `in ${(r.timeToRecoverMs / 1000).toFixed(2)}s${r.witness === null ? '' : ` (by the ${r.witness})`}`}${availabilityText(r)}`;
  const why = journal.reasons[0] ? ` (${journal.reasons[0]})` : '';
  return `${journal.status}${journal.deviated ? ' (deviated)' : ''}: ${title}${figures}${why}; journal ${journalPath}\n`;
}

/** The schedule the options ask for; frequency and fail-fast only mean something with checks during the method. */
export function hypothesisSchedule(options: RunCommandOptions): HypothesisSchedule {
  const named = options.hypothesisStrategy ?? 'default';
  const strategy = (HYPOTHESIS_STRATEGY_ALIASES[named] ?? named) as HypothesisStrategy;
  if (!checksDuring(strategy)) {
    const extra = options.hypothesisFrequency !== undefined ? '--hypothesis-frequency' : options.failFast === true ? '--fail-fast' : null;
    if (extra !== null) {
      throw new UsageError(
        `${extra} applies to the checks during the method: add --hypothesis-strategy during-method or continuously (got ${strategy})`,
      );
    }
  }
  return {
    strategy,
    frequencySeconds: options.hypothesisFrequency ?? DEFAULT_HYPOTHESIS_SCHEDULE.frequencySeconds,
    failFast: options.failFast === true,
  };
}

function scheduleLine(s: HypothesisSchedule): string {
  const when = [
    checksBefore(s.strategy) ? 'before' : null,
    checksDuring(s.strategy) ? `every ${s.frequencySeconds}s during the method` : null,
    checksAfter(s.strategy) ? 'after' : null,
  ];
  return `hypothesis strategy ${s.strategy}: the steady state is checked ${when.filter((w) => w !== null).join(', ')}${s.failFast ? '; the first check not met during the method fails the run and stops the method (--fail-fast)' : ''}`;
}

/** `chaos run`: load and check everything first, then run the experiments one after another. */
export async function runCommand(options: RunCommandOptions, given: CliIo): Promise<number> {
  if (options.live === true && !options.dryRun) {
    throw new UsageError('--live is a kind of dry run (read-only checks, no fault): use it with --dry-run');
  }
  if (options.journal !== undefined && options.experiments.length > 1) {
    throw new UsageError('--journal names one file, so it needs exactly one experiment');
  }
  const schedule = hypothesisSchedule(options);
  const commandVars = readCommandVars(options.vars ?? [], options.varFiles ?? [], given.cwd, given.env);
  // A `.env` var file sets environment variables for the whole run, as chaostoolkit's does.
  const io: CliIo = { ...given, env: commandVars.env };
  // Read and checked before anything runs, in a dry run too (which sends nothing).
  const settings = loadSettings(options.settings, io.cwd, io.env);
  const loaded = await loadExperiments(options.experiments, io, options.catalog, commandVars.vars);
  refuseUndeclaredVars(commandVars, loaded);
  const strategy = options.rollbackStrategy;
  const experiments = strategy === undefined ? loaded : loaded.map((experiment) => ({ ...experiment, rollbackStrategy: strategy }));
  const outputs = await loadOutputs({
    cwd: io.cwd,
    ...(options.outputs === undefined ? {} : { file: options.outputs }),
    ...(options.stack === undefined ? {} : { stack: options.stack }),
  });
  // The target's adapters are chosen once, here; every check and every run uses this binding.
  const clients = options.clients ?? awsClientFactories(outputs?.outputs.region ?? 'us-east-1');
  const target = outputs === null ? null : bindTarget(outputs.outputs, { clients, hostAccess: options.hostAccess });
  const checked: Experiment[] = [];
  for (const experiment of experiments) {
    const destructive = await preflight(experiment, outputs, target);
    if (destructive.length > 0 && !options.yes && !options.dryRun) refuseWithoutYes(experiment, destructive);
    checked.push(experiment);
  }
  // Record before acting: every journal must be writable before any experiment starts.
  const journals = checked.map((experiment) => {
    const named = options.journal ?? defaultJournalPath(experiment.title, new Date(systemClock.now()));
    const path = isAbsolute(named) ? named : resolve(io.cwd, named);
    if (!options.dryRun) checkJournalPath(path, named, options.force === true);
    return { experiment, named, path };
  });
  const halted = haltReason(io.env);
  if (halted !== null && !options.dryRun) {
    throw new UsageError(`runs on this machine are halted (${halted}): \`npm run chaos -- halt --release\` lets them start again`);
  }
  const json = options.json === true;
  const results: RunJsonExperiment[] = [];
  if (options.dryRun) {
    const outputsLine = `outputs: ${outputs === null ? 'none found (not needed)' : `${outputs.file} (${outputs.format}${outputs.stack ? `, stack ${outputs.stack}` : ''}; ${outputs.outputs.target}/${outputs.outputs.environment})`}`;
    if (!json) io.stdout(`${outputsLine}\n`);
    const live = options.live === true;
    // As in a real run: credentials for another account are refused before anything else is asked.
    if (live && target !== null) await guardAccount(target, clients);
    // Bounded, so that a dry run cannot hang on an API that does not answer.
    const signal = live ? AbortSignal.timeout(60_000) : null;
    for (const experiment of checked) {
      const plan = [
        ...describePlan(experiment, target),
        ...(schedule.strategy === 'default' || experiment.hypothesis === undefined ? [] : [scheduleLine(schedule)]),
        ...(signal === null ? [] : await livePlan(experiment, target, signal)),
      ];
      if (json) {
        const { file, title } = experiment;
        results.push({
          file,
          title,
          status: 'planned',
          deviated: false,
          verdict: 'planned',
          reasons: [],
          journal: null,
          report: null,
          recovery: null,
          plan,
        });
      } else {
        io.stdout(`${plan.join('\n')}\n`);
      }
    }
    const skipped = live ? skippedWithLive(target) : skippedLiveChecks(target);
    if (json) {
      writeJson(io, 'run', 0, { dryRun: true, outputs: outputsLine.replace(/^outputs: /, ''), skipped, experiments: results });
      return 0;
    }
    if (skipped !== null) io.stdout(`${skipped}\n`);
    io.stdout('dry run: nothing was done, no journal written\n');
    return 0;
  }
  // Before the lock and the first probe: credentials for another account must not reach anything.
  if (target !== null) await guardAccount(target, clients);
  // One run per target: taken before the first steady-state probe, released after the last rollback.
  const lock = outputs === null ? null : lockTarget(outputs.outputs, journals[0]?.path ?? '', io.env);
  const events = options.quiet ? silentSink : progressSink(io.stderr);
  if (lock?.tookOverFrom != null) {
    const dead = lock.tookOverFrom;
    events.emit({
      type: 'log',
      level: 'warn',
      message: `took over the lock of run ${dead.pid}, which died holding it; its journal ${dead.journal} may still say \`running\`: finish it with \`npm run chaos -- rollback ${dead.journal}\``,
    });
  }
  if (outputs !== null) events.emit({ type: 'log', level: 'info', message: `using outputs from ${outputs.file}` });
  if (target !== null) {
    const bound = Object.entries(target.adapters).map(([port, adapter]) => `${port} ${adapter === null ? 'none' : String(adapter)}`);
    events.emit({ type: 'log', level: 'info', message: `adapters: ${bound.join(', ')}` });
  }
  const interrupts = io.interrupts();
  const halting = new AbortController();
  const stopWatchingHalt = watchHalt(io.env, halting);
  const stop = AbortSignal.any([interrupts.signal, halting.signal]);
  let code = 0;
  const notifier = new Notifier(settings, (line) => io.stderr(`chaos: ${line}\n`));
  try {
    for (const { experiment, named, path: journalPath } of journals) {
      const document = redact(experiment.document, experiment.secretValues);
      notifier.notify('run-started', isJsonObject(document) ? document : {});
      const journal = await runExperiment(experiment, {
        outputs,
        journalPath,
        interrupt: stop,
        events,
        clock: systemClock,
        target,
        cwd: io.cwd,
        processEnv: io.env,
        hypothesisSchedule: schedule,
        // Provenance: null outside a git checkout (or without git); never fails the run.
        gitCommit: await gitCommit(dirname(isAbsolute(experiment.file) ? experiment.file : resolve(io.cwd, experiment.file)), io.env),
      });
      if (settings !== null && settings.notifications.length > 0) {
        // The journal as written to its file (secrets redacted), as chaostoolkit sends it: runExperiment
        // returns the very object it wrote, so it is not read back.
        for (const event of endEvents(journal)) notifier.notify(event, journal);
      }
      const report = options.report === undefined ? null : await writeReportBeside(journal, journalPath, named, options.report);
      if (json) {
        results.push(runJsonExperiment(journal, experiment.file, experiment.title, named, report));
      } else {
        io.stdout(verdictLine(journal, experiment.title, named));
        if (report !== null) io.stdout(`report ${report}\n`);
      }
      code = Math.max(code, exitCodeFor(journal));
      if (stop.aborted) break;
    }
  } finally {
    stopWatchingHalt();
    interrupts.dispose();
    lock?.release();
    // After the lock: a slow webhook holds up neither this run nor the next one on the target.
    await notifier.settle();
  }
  if (json) writeJson(io, 'run', code, { dryRun: false, experiments: results });
  return code;
}
