import { isJsonObject, type JsonValue } from '../model/json';
import type { ReportActivityRun, ReportHypothesisRun, ReportJournal } from './journal-schema';

/** Renders a journal as Markdown: the verdict first, then the figures, then the detail. */

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function ms(value: number | null): string {
  return value === null ? 'n/a' : `${(value / 1000).toFixed(2)} s`;
}

function nameOf(run: ReportActivityRun): string {
  return typeof run.activity.name === 'string' ? run.activity.name : '(unnamed)';
}

function summarize(output: JsonValue): string {
  if (output === null) return '';
  if (isJsonObject(output) && typeof output.status === 'number') {
    const extra = typeof output.latencyMs === 'number' ? `, ${output.latencyMs} ms` : '';
    return `status ${output.status}${extra}`;
  }
  const text = typeof output === 'string' ? output : JSON.stringify(output);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function title(journal: ReportJournal): string {
  return typeof journal.experiment.title === 'string' ? journal.experiment.title : 'Experiment';
}

function verdict(journal: ReportJournal): string[] {
  const passed = journal.status === 'completed' && !journal.deviated;
  const head = passed ? '**Verdict: PASSED**' : `**Verdict: ${journal.deviated ? 'DEVIATED' : journal.status.toUpperCase()}**`;
  if (passed) {
    const r = journal.recovery;
    const why =
      r === null
        ? 'the steady state held before and after the method.'
        : `the steady state held; recovered in ${ms(r.timeToRecoverMs)}${r.availability === null ? '' : ` with ${r.availability}% availability`}, within the objective.`;
    return [`${head}: ${why}`];
  }
  return [`${head}: ${journal.reasons[0] ?? 'see below.'}`, ...(journal.reasons.length > 1 ? ['', ...journal.reasons.map((reason) => `- ${reason}`)] : [])];
}

function figures(journal: ReportJournal): string[] {
  const r = journal.recovery;
  if (r === null) return ['No recovery objective was declared, so nothing was measured continuously.'];
  const objective = r.objective ?? {};
  const within = typeof objective.within === 'number' ? `<= ${objective.within} s` : '';
  const availability = isJsonObject(objective.availability ?? null) ? objective.availability : null;
  const min = isJsonObject(availability) && typeof availability.min === 'number' ? `>= ${availability.min} %` : '';
  const rate = isJsonObject(availability) && typeof availability.rate === 'number' ? availability.rate : null;
  const failed = r.samples.filter((s) => !s.ok).length;
  const streak = rate === null || r.maxConsecutiveFailures === 0 ? '' : ` (about ${(r.maxConsecutiveFailures / rate).toFixed(1)} s)`;
  return [
    '| Figure | Value | Objective |',
    '|---|---|---|',
    `| Time to detect | ${ms(r.timeToDetectMs)} | |`,
    `| Time to recover | ${ms(r.timeToRecoverMs)} | ${within} |`,
    `| Availability | ${r.availability === null ? 'n/a' : `${r.availability} %`} (${r.samples.length} samples, ${failed} failed) | ${min} |`,
    `| Max consecutive failures | ${r.maxConsecutiveFailures}${streak} | |`,
    `| Objective met | ${r.met === null ? 'not measured' : r.met ? 'yes' : 'no'} | |`,
    '',
    `t0 (first action): ${r.t0 ?? 'n/a'}`,
  ];
}

function probeTable(state: ReportHypothesisRun | null, missing: string): string[] {
  if (state === null) return [missing];
  const rows = state.probes.map(
    (p) => `| ${cell(nameOf(p))} | ${p.status} | ${p.tolerance_met === undefined ? '' : p.tolerance_met ? 'yes' : 'no'} | ${cell(p.exception[0] ?? summarize(p.output))} |`,
  );
  return [`Steady state met: **${state.steady_state_met ? 'yes' : 'no'}**`, '', '| Probe | Status | Within tolerance | Output |', '|---|---|---|---|', ...rows];
}

function duringTable(polls: readonly ReportHypothesisRun[]): string[] {
  if (polls.length === 0) return ['No steady-state polls while waiting for recovery.'];
  const rows = polls.map((poll, i) => {
    const bad = poll.probes.find((p) => p.status === 'failed' || p.tolerance_met === false);
    return `| ${i + 1} | ${poll.at ?? ''} | ${poll.steady_state_met ? 'yes' : 'no'} | ${bad ? cell(`${nameOf(bad)}: ${bad.exception[0] ?? 'outside tolerance'}`) : ''} |`;
  });
  return ['| Poll | At | Met | First failing probe |', '|---|---|---|---|', ...rows];
}

function activityTable(runs: readonly ReportActivityRun[], none: string): string[] {
  if (runs.length === 0) return [none];
  const rows = runs.map((r, i) => {
    const type = typeof r.activity.type === 'string' ? r.activity.type : '';
    const detail = r.exception[0] ?? (r.tolerance_met === false ? 'outside its tolerance' : summarize(r.output));
    return `| ${i + 1} | ${cell(nameOf(r))} | ${type} | ${r.status}${r.tolerance_met === false ? ' (tolerance missed)' : ''} | ${r.start} | ${r.duration.toFixed(2)} s | ${cell(detail)} |`;
  });
  return ['| # | Activity | Type | Status | Start | Duration | Detail |', '|---|---|---|---|---|---|---|', ...rows];
}

/** The Markdown report of one journal. `source` names the journal file. */
export function renderMarkdownReport(journal: ReportJournal, source: string): string {
  const outputs = journal.outputs;
  const target = outputs && typeof outputs.target === 'string' ? `${outputs.target}${typeof outputs.environment === 'string' ? ` / ${outputs.environment}` : ''}` : 'n/a';
  const rollbacks = journal.rollbacks_skipped !== null ? [`Skipped: ${journal.rollbacks_skipped}.`] : activityTable(journal.rollbacks, 'None ran.');
  return [
    `# ${title(journal)}`,
    '',
    ...verdict(journal),
    '',
    '## Figures',
    '',
    ...figures(journal),
    '',
    '## Run',
    '',
    `- Status: ${journal.status}${journal.deviated ? ' (deviated)' : ''}`,
    `- Started: ${journal.start}; duration ${journal.duration.toFixed(1)} s`,
    `- Experiment: ${journal.experiment_file ?? 'n/a'}; journal: ${source}`,
    `- Target: ${target}; rollback strategy: ${journal.rollback_strategy ?? 'n/a'}`,
    '',
    '## Steady state before',
    '',
    ...probeTable(journal.steady_states.before, 'Not checked.'),
    '',
    '## While recovering',
    '',
    ...duringTable(journal.steady_states.during),
    '',
    '## Steady state after',
    '',
    ...probeTable(journal.steady_states.after, 'Not checked.'),
    '',
    '## Activities',
    '',
    ...activityTable(journal.run, 'No activity ran.'),
    '',
    '## Rollbacks',
    '',
    ...rollbacks,
    '',
  ].join('\n');
}
