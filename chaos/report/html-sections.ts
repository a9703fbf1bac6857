import type { JsonValue } from '../../contract/json';
import {
  activityDetail,
  activityName,
  activityType,
  detectedText,
  firstFailingProbe,
  percent,
  seconds,
  summarizeOutput,
  toleranceText,
  witnessText,
} from './format';
import { esc } from './html-escape';
import type { ReadableActivityRun, ReadableHypothesisRun } from '../../contract/journal';
import type { RecoveryFigures, VerdictKind } from './report-model';

/** The HTML report's building blocks. Every journal string is escaped here, at the point of output. */

/** A raw output longer than this is cut in the page (the journal keeps it whole). */
export const RAW_OUTPUT_LIMIT = 20_000;

export function verdictClass(kind: VerdictKind): string {
  switch (kind) {
    case 'passed':
    case 'deviated':
    case 'failed':
    case 'aborted':
    case 'interrupted':
    case 'other':
      return `v-${kind}`;
  }
}

type Judgement = 'good' | 'bad' | 'neutral';

function card(label: string, value: string, note: string, judgement: Judgement): string {
  return `<div class="figure ${judgement}"><div class="label">${esc(label)}</div><div class="value">${esc(value)}</div><div class="note">${esc(note)}</div></div>`;
}

function judge(ok: boolean | null): Judgement {
  return ok === null ? 'neutral' : ok ? 'good' : 'bad';
}

/** The four headline figures as cards, each judged against its objective when there is one. */
export function figureCards(f: RecoveryFigures): string {
  const o = f.objective;
  const ttrOk =
    f.timeToRecoverMs === null ? (f.met === null ? null : false) : o.withinS === null ? null : f.timeToRecoverMs <= o.withinS * 1000;
  const availabilityOk = f.availability === null || o.minAvailability === null ? null : f.availability >= o.minAvailability;
  const streak = f.streakSeconds === null ? 'no failed sample in a row' : `about ${f.streakSeconds.toFixed(1)} s without an answer`;
  const met = f.met === null ? 'not measured (the method did not complete)' : f.met ? 'met' : 'missed';
  return [
    '<div class="figures">',
    card(
      'Time to detect',
      seconds(f.timeToDetectMs),
      f.timeToDetectMs === null ? 'nothing was seen failing' : detectedText(f.detectedBy) || detectedText('sampler'),
      'neutral',
    ),
    card(
      'Time to recover',
      seconds(f.timeToRecoverMs),
      [witnessText(f.witness), o.withinS === null ? 'steady state confirmed again' : `objective ≤ ${o.withinS} s`]
        .filter(Boolean)
        .join(' · '),
      judge(ttrOk),
    ),
    card(
      'Availability',
      percent(f.availability),
      `${o.minAvailability === null ? '' : `objective ≥ ${o.minAvailability} % · `}${f.sampleCount} samples, ${f.failedCount} failed`,
      judge(availabilityOk),
    ),
    card('Max consecutive failures', String(f.maxConsecutiveFailures), streak, 'neutral'),
    '</div>',
    `<p class="objective">Recovery objective: <span class="${f.met === null ? '' : f.met ? 'met-yes' : 'met-no'}">${esc(met)}</span>. t0 (first action): ${esc(f.t0 ?? 'n/a')}.${
      f.latency === null ? '' : ` Latency of healthy samples: p50 ${f.latency.p50} ms, p95 ${f.latency.p95} ms, max ${f.latency.max} ms.`
    }</p>`,
    f.witnessReason === ''
      ? ''
      : `<p class="witness">Time to recover ${esc(witnessText(f.witness))}: ${esc(f.witnessReason)}. By the sampler ${esc(seconds(f.samplerRecoveredMs))}, by the confirming poll ${esc(seconds(f.pollRecoveredMs))}, confirmed at ${esc(seconds(f.confirmedMs))} (the end of the fault window the figures cover).</p>`,
    probeFiguresTable(f),
  ].join('\n');
}

/** The figures per sampled probe (journals written before several probes could be sampled have none). */
export function probeFiguresTable(f: RecoveryFigures): string {
  if (f.probes.length === 0) return '';
  const rows = f.probes.map(
    (p) =>
      `<tr${p.met === false ? ' class="bad"' : ''}><td>${esc(p.probe)}</td><td class="num">${p.rate}/s</td><td class="num">${esc(percent(p.availability))}</td><td class="num">${p.total} (${p.failed} failed)</td><td class="num">${p.maxConsecutiveFailures}</td><td class="num">${esc(seconds(p.longestGapMs))}</td><td class="num">${esc(seconds(p.firstFailureMs))}</td><td class="num">${esc(seconds(p.recoveredMs))}</td><td>${esc(p.min === null ? 'measured' : `≥ ${p.min} %: ${p.met === true ? 'met' : 'missed'}`)}</td></tr>`,
  );
  return table(
    [
      'Sampled probe',
      'Rate',
      'Availability',
      'Samples',
      'Max consecutive failures',
      'Longest gap',
      'First failure',
      'Answering again from',
      'Objective',
    ],
    rows,
    new Set([1, 2, 3, 4, 5, 6, 7]),
  );
}

/** A table in a box that scrolls sideways by itself, so a wide table never widens the page. */
export function wrapTable(table: string): string {
  return `<div class="table-wrap">${table}</div>`;
}

function table(head: readonly string[], rows: readonly string[], numeric: ReadonlySet<number> = new Set()): string {
  const th = head.map((h, i) => `<th${numeric.has(i) ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  return wrapTable(`<table><thead><tr>${th}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`);
}

function failedRun(r: ReadableActivityRun): boolean {
  return r.status === 'failed' || r.tolerance_met === false;
}

/** One steady-state check: met or not, then a row per probe. */
export function probeTable(state: ReadableHypothesisRun | null, missing: string): string {
  if (state === null) return `<p class="muted">${esc(missing)}</p>`;
  const rows = state.probes.map(
    (p) =>
      `<tr${failedRun(p) ? ' class="bad"' : ''}><td>${esc(activityName(p))}</td><td>${esc(p.status)}</td><td>${esc(toleranceText(p))}</td><td class="detail">${esc(p.exception[0] ?? summarizeOutput(p.output))}</td></tr>`,
  );
  const met = state.steady_state_met ? '<span class="met-yes">yes</span>' : '<span class="met-no">no</span>';
  return `<p>Steady state met: ${met}${state.at ? ` <span class="muted">(checked ${esc(state.at)})</span>` : ''}</p>\n${table(['Probe', 'Status', 'Within tolerance', 'Output'], rows)}`;
}

/** The steady-state polls while waiting for recovery. */
export function duringTable(polls: readonly ReadableHypothesisRun[]): string {
  if (polls.length === 0) return '<p class="muted">No steady-state polls while waiting for recovery.</p>';
  const rows = polls.map(
    (poll, i) =>
      `<tr${poll.steady_state_met ? '' : ' class="bad"'}><td class="num">${i + 1}</td><td>${esc(poll.at ?? '')}</td><td>${poll.steady_state_met ? 'yes' : 'no'}</td><td class="detail">${esc(firstFailingProbe(poll))}</td></tr>`,
  );
  return table(['Poll', 'At', 'Met', 'First failing probe'], rows, new Set([0]));
}

/** Activities (the method or the rollbacks), one row each. */
export function activityTable(runs: readonly ReadableActivityRun[], none: string): string {
  if (runs.length === 0) return `<p class="muted">${esc(none)}</p>`;
  const rows = runs.map(
    (r, i) =>
      `<tr${failedRun(r) ? ' class="bad"' : ''}><td class="num">${i + 1}</td><td>${esc(activityName(r))}</td><td>${esc(activityType(r))}</td><td>${esc(r.status)}${r.tolerance_met === false ? ' (tolerance missed)' : ''}</td><td>${esc(r.start)}</td><td class="num">${r.duration.toFixed(2)} s</td><td class="detail">${esc(activityDetail(r))}</td></tr>`,
  );
  return table(['#', 'Activity', 'Type', 'Status', 'Start', 'Duration', 'Detail'], rows, new Set([0, 5]));
}

function rawText(output: JsonValue, exception: readonly string[]): string {
  const body = typeof output === 'string' ? output : JSON.stringify(output, null, 2);
  const cut =
    body.length > RAW_OUTPUT_LIMIT
      ? `${body.slice(0, RAW_OUTPUT_LIMIT)}\n… cut: ${body.length - RAW_OUTPUT_LIMIT} more characters in the journal`
      : body;
  return exception.length > 0 ? `${exception.join('\n')}\n\n${cut}` : cut;
}

/** Every activity's raw output, collapsed: one `<details>` each inside one that holds them all. */
export function rawOutputs(groups: readonly { readonly label: string; readonly runs: readonly ReadableActivityRun[] }[]): string {
  const items = groups.flatMap((g) =>
    g.runs.map(
      (r) =>
        `<details><summary>${esc(g.label)}: ${esc(activityName(r))} <span class="muted">(${esc(r.status)}, ${r.duration.toFixed(2)} s)</span></summary><pre>${esc(rawText(r.output, r.exception))}</pre></details>`,
    ),
  );
  if (items.length === 0) return '<p class="muted">No activity output was recorded.</p>';
  return `<details class="raw"><summary>Raw activity outputs (${items.length})</summary>\n${items.join('\n')}\n</details>`;
}
