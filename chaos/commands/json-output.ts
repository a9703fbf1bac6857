import type { Journal } from '../../contract/journal';
import { verdictKind } from '../journal/verdict';
import type { CliIo } from '../io';

/**
 * `--json` on `run` and `validate`: exactly one JSON object on stdout, whatever happens (progress and
 * error lines stay on stderr). Its shape is documented in chaos/README.md ("--json").
 */
export const JSON_OUTPUT_VERSION = 1;

/** One experiment of `run --json`. */
export interface RunJsonExperiment {
  readonly file: string;
  readonly title: string;
  /** The journal's status (`completed`, `failed`, `aborted`, `interrupted`), or `planned` for a dry run. */
  readonly status: string;
  readonly deviated: boolean;
  /** `passed` (completed, not deviated), `deviated`, `failed`, `aborted`, `interrupted` or `planned`. */
  readonly verdict: string;
  readonly reasons: readonly string[];
  /** The journal as named on the command line or by default; null for a dry run. */
  readonly journal: string | null;
  readonly report: string | null;
  readonly recovery: {
    readonly timeToRecoverMs: number | null;
    readonly witness: string | null;
    readonly availability: number | null;
  } | null;
  /** The dry run's plan, one line each (empty for a run). */
  readonly plan: readonly string[];
}

export function verdictOf(journal: Journal): string {
  const kind = verdictKind(journal);
  return kind === 'other' ? journal.status : kind;
}

export function runJsonExperiment(journal: Journal, file: string, title: string, named: string, report: string | null): RunJsonExperiment {
  const r = journal.recovery;
  return {
    file,
    title,
    status: journal.status,
    deviated: journal.deviated,
    verdict: verdictOf(journal),
    reasons: journal.reasons,
    journal: named,
    report,
    recovery: r === null ? null : { timeToRecoverMs: r.timeToRecoverMs, witness: r.witness, availability: r.availability },
    plan: [],
  };
}

/** Writes the one object: `{version, command, ok, exitCode, …}`. */
export function writeJson(io: CliIo, command: 'run' | 'validate', exitCode: number, fields: Readonly<Record<string, unknown>>): void {
  io.stdout(`${JSON.stringify({ version: JSON_OUTPUT_VERSION, command, ok: exitCode === 0, exitCode, ...fields })}\n`);
}
