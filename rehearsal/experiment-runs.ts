import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isJsonObject } from '../contract/json';
import { readableJournalSchema, type ReadableJournal } from '../contract/journal';
import { runChaosCli } from './chaos-cli';

/**
 * The chaos CLI as `npm start` runs it: one child process per experiment, exactly
 * `npm run chaos -- run <experiment> --outputs <file> --yes --journal <file>`, and the figures of
 * the journal it wrote. The CLI decides the verdict; this only runs it and reads the result.
 */

/** One sampled probe's availability (null: no samples in the window). */
export interface ProbeAvailability {
  readonly probe: string;
  readonly availability: number | null;
}

/** What one experiment run gave. */
export interface ExperimentResult {
  readonly experiment: string;
  readonly journal: string;
  /** The CLI's exit code (0 completed, 1 failed/interrupted/aborted, 2 bad input), null when killed. */
  readonly code: number | null;
  /** The journal's status, or why there is none. */
  readonly status: string;
  readonly timeToDetectMs: number | null;
  readonly timeToRecoverMs: number | null;
  /** Availability over the fault window per sampled probe (one per path through the proxy), in the experiment's order. */
  readonly availability: readonly ProbeAvailability[];
  /** What gave the time to recover: the high-rate sampler or the confirming steady-state poll; null when unknown. */
  readonly witness: string | null;
  /** The CLI's verdict line (or its error line). */
  readonly verdict: string;
  /** A journal was written (and reads as one): the report can include it. */
  readonly hasJournal: boolean;
}

/** Options of {@link runExperiment}. */
interface RunExperimentOptions {
  readonly repoRoot: string;
  readonly outputs: string;
  readonly journal: string;
  /** Each progress line of the run (stderr), as it comes. */
  readonly onProgress?: (line: string) => void;
  /** The running child, so that a signal to `npm start` can be passed on (rollbacks must run). */
  readonly onChild?: (child: ChildProcess | undefined) => void;
}

export function journalFigures(
  journalFile: string,
): Pick<ExperimentResult, 'status' | 'timeToDetectMs' | 'timeToRecoverMs' | 'availability' | 'witness' | 'hasJournal'> {
  const none = { timeToDetectMs: null, timeToRecoverMs: null, availability: [], witness: null, hasJournal: false };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(journalFile, 'utf8'));
  } catch {
    return { ...none, status: 'no journal' };
  }
  const parsed = readableJournalSchema.safeParse(raw);
  if (!parsed.success) return { ...none, status: 'unreadable journal' };
  const recovery = parsed.data.recovery;
  return {
    status: parsed.data.status,
    timeToDetectMs: recovery?.timeToDetectMs ?? null,
    timeToRecoverMs: recovery?.timeToRecoverMs ?? null,
    availability: recovery === null || recovery === undefined ? [] : probeAvailability(recovery),
    witness: recovery?.witness ?? null,
    hasJournal: true,
  };
}

/** Figures per probe; a journal written before several probes could be sampled has one, named by its objective. */
function probeAvailability(recovery: NonNullable<ReadableJournal['recovery']>): ProbeAvailability[] {
  if (recovery.probes.length > 0) return recovery.probes.map((p) => ({ probe: p.probe, availability: p.availability }));
  const objective = recovery.objective?.availability;
  const probe = isJsonObject(objective) && typeof objective.probe === 'string' ? objective.probe : null;
  return probe === null ? [] : [{ probe, availability: recovery.availability }];
}

/** Runs one experiment with the chaos CLI and reads its journal. */
export async function runExperiment(experiment: string, options: RunExperimentOptions): Promise<ExperimentResult> {
  const { code, signal, stdout, stderr } = await runChaosCli(
    ['run', experiment, '--outputs', options.outputs, '--yes', '--journal', options.journal],
    { repoRoot: options.repoRoot, onProgress: options.onProgress, onChild: options.onChild },
  );
  // The verdict is stdout's one line; a usage error says its line on stderr instead. A signal
  // that arrives before the CLI has set up its handlers (while it loads) ends it before it
  // has done anything.
  const ended = signal === null ? `exited ${code}` : `ended by ${signal} before it started`;
  const verdict = stdout.trim() || stderr.trim().split('\n').pop() || ended;
  const found = journalFigures(options.journal);
  return {
    experiment,
    journal: options.journal,
    code,
    verdict,
    ...found,
    status: found.hasJournal || signal === null ? found.status : `not run (${signal})`,
  };
}

/**
 * Renders the journals into one report with the chaos CLI (`report <journals> --out <file>`, plus
 * `--format html` for HTML); resolves its exit code and output.
 */
export async function renderReport(
  repoRoot: string,
  journals: readonly string[],
  format: 'markdown' | 'html',
  out: string,
): Promise<{ readonly code: number | null; readonly output: string }> {
  const formatArgs = format === 'html' ? ['--format', 'html'] : [];
  const { code, output } = await runChaosCli(['report', ...journals, ...formatArgs, '--out', out], { repoRoot });
  return { code, output: output.trim() };
}
