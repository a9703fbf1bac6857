import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isJsonObject } from '../contract/json';
import { readableJournalSchema } from '../contract/journal';
import { runChaosCli } from './chaos-cli';

/**
 * The chaos CLI as `npm start` runs it: one child process per experiment, exactly
 * `npm run chaos -- run <experiment> --outputs <file> --yes --journal <file>`, and the figures of
 * the journal it wrote. The CLI decides the verdict; this only runs it and reads the result.
 */

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
  readonly availability: number | null;
  /** The probe whose samples give the availability. */
  readonly sampled: string | null;
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

function figures(
  journalFile: string,
): Pick<ExperimentResult, 'status' | 'timeToDetectMs' | 'timeToRecoverMs' | 'availability' | 'sampled' | 'hasJournal'> {
  const none = { timeToDetectMs: null, timeToRecoverMs: null, availability: null, sampled: null, hasJournal: false };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(journalFile, 'utf8'));
  } catch {
    return { ...none, status: 'no journal' };
  }
  const parsed = readableJournalSchema.safeParse(raw);
  if (!parsed.success) return { ...none, status: 'unreadable journal' };
  const recovery = parsed.data.recovery;
  const objective = recovery?.objective?.availability;
  const sampled = isJsonObject(objective) && typeof objective.probe === 'string' ? objective.probe : null;
  return {
    status: parsed.data.status,
    timeToDetectMs: recovery?.timeToDetectMs ?? null,
    timeToRecoverMs: recovery?.timeToRecoverMs ?? null,
    availability: recovery?.availability ?? null,
    sampled,
    hasJournal: true,
  };
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
  const found = figures(options.journal);
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
