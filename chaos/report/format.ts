import { isJsonObject, type JsonValue } from '../../contract/json';
import type { ReadableActivityRun, ReadableHypothesisRun } from '../../contract/journal';

/** Text shared by the Markdown and HTML reports, so both say the same thing the same way. */

/** Milliseconds as seconds with two decimals, or `n/a`. */
export function seconds(ms: number | null): string {
  return ms === null ? 'n/a' : `${(ms / 1000).toFixed(2)} s`;
}

/** Which figure the time to recover is, in words. */
export function witnessText(witness: 'sampler' | 'poll' | null): string {
  return witness === 'sampler' ? 'by the sampler' : witness === 'poll' ? 'by the confirming poll' : '';
}

/** What saw the failure first, in words: a failed availability sample or a failed steady-state poll. */
export function detectedText(by: 'sampler' | 'poll' | null): string {
  return by === 'sampler'
    ? 'detected by a failed sample, the first after t0'
    : by === 'poll'
      ? 'detected by a failed steady-state poll, the first after t0'
      : '';
}

/** A percentage as the journal records it (two decimals at most), or `n/a`. */
export function percent(value: number | null): string {
  return value === null ? 'n/a' : `${value} %`;
}

/** The activity's name as written in the experiment. */
export function activityName(run: ReadableActivityRun): string {
  return typeof run.activity.name === 'string' ? run.activity.name : '(unnamed)';
}

/** `action`, `probe`, or empty for chaostoolkit entries without a type. */
export function activityType(run: ReadableActivityRun): string {
  return typeof run.activity.type === 'string' ? run.activity.type : '';
}

/** One short line for an activity's output: an HTTP/process status, else the start of its JSON. */
export function summarizeOutput(output: JsonValue): string {
  if (output === null) return '';
  if (isJsonObject(output) && typeof output.status === 'number') {
    const extra = typeof output.latencyMs === 'number' ? `, ${output.latencyMs} ms` : '';
    return `status ${output.status}${extra}`;
  }
  const text = typeof output === 'string' ? output : JSON.stringify(output);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** What a table's detail column says about a run: its error, a missed tolerance, or its output. */
export function activityDetail(run: ReadableActivityRun): string {
  return run.exception[0] ?? (run.tolerance_met === false ? 'outside its tolerance' : summarizeOutput(run.output));
}

/** `yes`, `no` or empty when the probe had no tolerance. */
export function toleranceText(run: ReadableActivityRun): string {
  return run.tolerance_met === undefined ? '' : run.tolerance_met ? 'yes' : 'no';
}

/** The first probe of a steady-state check that failed or missed its tolerance, as one line. */
export function firstFailingProbe(poll: ReadableHypothesisRun): string {
  const bad = poll.probes.find((p) => p.status === 'failed' || p.tolerance_met === false);
  return bad ? `${activityName(bad)}: ${bad.exception[0] ?? 'outside tolerance'}` : '';
}
