import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AvailabilitySample } from '../sampling/availability-sampler';
import type { JsonObject, JsonValue } from '../../contract/json';
import { isJsonObject } from '../../contract/json';

/**
 * The journal: a superset of chaostoolkit's (status, deviated, steady_states, run, rollbacks,
 * start/end/duration) plus `recovery`. Its shape is fixed; reports are rendered from it alone.
 */

export const ENGINE_NAME = 'ecs-chaos-platform';
export const ENGINE_VERSION = '0.1.0';

export type RunStatus = 'completed' | 'failed' | 'aborted' | 'interrupted';

/** One activity as it ran (chaostoolkit's run entry). */
export interface ActivityRun {
  readonly activity: JsonObject;
  readonly status: 'succeeded' | 'failed';
  readonly output: JsonValue;
  readonly start: string;
  readonly end: string;
  /** Seconds. */
  readonly duration: number;
  /** One line per entry (no stack traces). */
  readonly exception?: readonly string[];
  readonly tolerance_met?: boolean;
}

/** One check of the steady-state hypothesis. */
export interface HypothesisRun {
  readonly steady_state_met: boolean;
  readonly probes: readonly ActivityRun[];
  /** When the check started. */
  readonly at: string;
}

/** What the recovery objective measured. Times are milliseconds since t0. */
export interface RecoveryRecord {
  /** Start of the first action (ISO); null when no action ran. */
  readonly t0: string | null;
  /** First failed sample (or failed steady-state poll); null when nothing was seen failing. */
  readonly timeToDetectMs: number | null;
  /** When the steady state was confirmed again; null when it never was before the deadline. */
  readonly timeToRecoverMs: number | null;
  /** Percentage of successful samples; null without availability sampling. */
  readonly availability: number | null;
  readonly maxConsecutiveFailures: number;
  readonly objective: JsonObject | null;
  /** Whether the objective was met; null when it was not measured (the method did not complete). */
  readonly met: boolean | null;
  readonly samples: readonly AvailabilitySample[];
}

export interface Journal {
  readonly 'chaos-engine': string;
  readonly platform: string;
  readonly node: string;
  readonly experiment: JsonObject;
  readonly experiment_file: string;
  readonly outputs: JsonObject | null;
  readonly start: string;
  readonly end: string;
  /** Seconds. */
  readonly duration: number;
  readonly status: RunStatus;
  readonly deviated: boolean;
  /** Why the run ended as it did, one line each; empty when completed. */
  readonly reasons: readonly string[];
  readonly steady_states: {
    readonly before: HypothesisRun | null;
    readonly during: readonly HypothesisRun[];
    readonly after: HypothesisRun | null;
  };
  readonly run: readonly ActivityRun[];
  readonly rollbacks: readonly ActivityRun[];
  readonly rollback_strategy: string;
  /** Why rollbacks did not run; null when they did. */
  readonly rollbacks_skipped: string | null;
  readonly recovery: RecoveryRecord | null;
}

/** Replaces secret values in a text. */
export function redactText(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

/** Replaces secret values wherever they appear in strings, so journals can be shared. */
export function redact(value: JsonValue, secrets: readonly string[]): JsonValue {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets));
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = redact(v, secrets);
    return out;
  }
  return value;
}

/** Writes the journal atomically: a reader never sees half a file, even after an interruption. */
export async function writeJournal(path: string, journal: Journal): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(journal, null, 2)}\n`, 'utf8');
  await rename(tmp, path);
}

/** `journals/<slug>-<timestamp>.json`. */
export function defaultJournalPath(title: string, at: Date): string {
  const slug =
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'experiment';
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  return `journals/${slug}-${stamp}.json`;
}
