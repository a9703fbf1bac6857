import { isAbsolute, resolve } from 'node:path';
import { journalSchema, type Journal } from '../../contract/journal';
import { awsClientFactories, type ClientFactories } from '../adapters/aws-clients';
import { FAULT_CATALOG } from '../drivers';
import type { Undo } from '../engine/activity';
import { activityTimeoutSeconds } from '../engine/activity-limit';
import { systemClock } from '../engine/clock';
import { progressSink, silentSink } from '../engine/events';
import { runRollbacks } from '../engine/rollback';
import { UsageError } from '../errors';
import { createFaultRecord } from '../faults/fault-record';
import type { CliIo } from '../io';
import { writeJournal } from '../journal/journal-file';
import { parseExperimentDocument } from '../model/load-experiment';
import type { Experiment } from '../model/types';
import { lockTarget, processAlive } from '../safety/target-lock';
import { readJournalFile } from '../journal/read-journal';
import { bindTarget } from '../targets/bind-target';
import { loadOutputs } from '../targets/outputs-discovery';

export interface RollbackCommandOptions {
  readonly journal: string;
  /** The outputs to act on; default: the file the run used, as its journal names it. */
  readonly outputs: string | undefined;
  readonly stack: string | undefined;
  /** Run the rollbacks again although the journal says they ran. */
  readonly force: boolean;
  /** Confirm process activities among the experiment's rollbacks. */
  readonly yes: boolean;
  readonly quiet: boolean;
  /** Injected in tests; the default creates real AWS clients lazily. */
  readonly clients?: ClientFactories;
}

/** The faults the run injected and did not undo: finished ones with their result, in-flight ones without. */
export function undosOf(journal: Journal, experiment: Experiment, force: boolean): { undos: Undo[]; unknown: string[] } {
  // The run undoes its faults whatever the strategy: those undone already are not undone again (unless --force).
  const undone = new Set(force ? [] : journal.rollbacks.filter((r) => r.status === 'succeeded').map((r) => String(r.activity.name)));
  const undos: Undo[] = [];
  const unknown: string[] = [];
  const faultOf = (name: unknown) => {
    const activity = experiment.method.find((a) => a.name === name);
    return activity?.provider.type === 'fault' && activity.provider.bound.rollback !== null
      ? { fault: activity.provider.bound, timeoutSeconds: activityTimeoutSeconds(activity, experiment.activityTimeout) }
      : null;
  };
  for (const run of journal.run) {
    const undo = faultOf(run.activity.name);
    if (undo !== null && run.status === 'succeeded' && !undone.has(`undo "${String(run.activity.name)}"`))
      undos.push({ name: String(run.activity.name), ...undo, runResult: run.output });
  }
  for (const started of journal.in_flight ?? []) {
    const undo = started.phase === 'method' ? faultOf(started.activity.name) : null;
    if (undo === null) continue;
    // Killed mid-action: what it did is unknown, so its undo gets no result (it says when it needs one).
    undos.push({ name: String(started.activity.name), ...undo, runResult: null });
    unknown.push(String(started.activity.name));
  }
  return { undos, unknown };
}

/** `chaos rollback <journal>`: runs the rollbacks of a run that was killed or interrupted before its own. */
export async function rollbackCommand(options: RollbackCommandOptions, io: CliIo): Promise<number> {
  const path = isAbsolute(options.journal) ? options.journal : resolve(io.cwd, options.journal);
  const journal = await readJournalFile(options.journal, io.cwd, journalSchema);
  if (journal.status === 'running' && journal.pid !== undefined && journal.pid !== process.pid && processAlive(journal.pid)) {
    throw new UsageError(
      `${options.journal}: run ${journal.pid} is still going and rolls back itself; stop it with \`npm run chaos -- halt\``,
    );
  }
  const alreadyRolledBack = journal.status !== 'running' && journal.rollbacks_skipped === null && journal.rollbacks.length > 0;
  if (alreadyRolledBack && !options.force) {
    throw new UsageError(`${options.journal}: its rollbacks already ran (${journal.rollbacks.length}); --force runs them again`);
  }
  const experiment = parseExperimentDocument(journal.experiment, journal.experiment_file, { catalog: FAULT_CATALOG, env: io.env });
  if (experiment.rollbacks.some((a) => a.provider.type === 'process') && !options.yes) {
    throw new UsageError(`${options.journal}: the experiment's rollbacks run processes; add --yes to run them`);
  }
  const { undos, unknown } = undosOf(journal, experiment, options.force);
  const needsTarget = undos.length > 0 || experiment.rollbacks.some((a) => a.provider.type === 'fault');
  const recorded = journal.outputs?.file;
  const file = options.outputs ?? (typeof recorded === 'string' ? recorded : undefined);
  const outputs =
    file === undefined ? null : await loadOutputs({ cwd: io.cwd, file, ...(options.stack === undefined ? {} : { stack: options.stack }) });
  if (outputs === null && needsTarget)
    throw new UsageError(`${options.journal}: its rollbacks act on the platform, and no outputs are known: pass --outputs <file>`);
  const ran = journal.outputs;
  if (outputs !== null && ran !== null && (ran.target !== outputs.outputs.target || ran.environment !== outputs.outputs.environment)) {
    throw new UsageError(
      `${outputs.file} names ${outputs.outputs.target}/${outputs.outputs.environment}, but the run was against ${String(ran.target)}/${String(ran.environment)}`,
    );
  }
  const target =
    outputs === null ? null : bindTarget(outputs.outputs, { clients: options.clients ?? awsClientFactories(outputs.outputs.region) });
  const events = options.quiet ? silentSink : progressSink(io.stderr);
  for (const name of unknown)
    events.emit({ type: 'log', level: 'warn', message: `"${name}" was running when the run stopped: undoing it without its result` });
  const lock = outputs === null ? null : lockTarget(outputs.outputs, path, io.env);
  try {
    const rolled = await runRollbacks(undos, experiment.rollbacks, {
      outputs: outputs?.outputs ?? null,
      target,
      record: createFaultRecord(),
      clock: systemClock,
      events,
      cwd: io.cwd,
      processEnv: io.env,
      secrets: experiment.secretValues,
      activityTimeout: experiment.activityTimeout,
    });
    const by = `rollbacks run by \`chaos rollback\` at ${new Date(systemClock.now()).toISOString()}`;
    const updated: Journal = {
      ...journal,
      status: journal.status === 'running' ? 'interrupted' : journal.status,
      reasons: [
        ...(journal.status === 'running' ? [`the run (pid ${journal.pid ?? '?'}) stopped before it finished`] : []),
        ...journal.reasons,
        by,
        ...rolled.failures,
        ...rolled.unjudged,
      ],
      rollbacks: [...journal.rollbacks, ...rolled.runs],
      rollbacks_skipped: null,
      in_flight: [],
    };
    await writeJournal(path, updated);
    // This command is ours: whichever rollback failed, it says so and exits 1.
    const failed = [...rolled.failures, ...rolled.unjudged];
    io.stdout(
      `${failed.length === 0 ? 'rolled back' : 'rollbacks failed'}: ${undos.length} fault(s) undone, ${experiment.rollbacks.length} rollback(s) run${failed[0] ? ` (${failed[0]})` : ''}; journal ${options.journal}\n`,
    );
    return failed.length === 0 && rolled.abortWith === null ? 0 : 1;
  } finally {
    lock?.release();
  }
}
