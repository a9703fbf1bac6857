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
import type { ReadableActivityRun, ReadableHypothesisRun, ReadableJournal } from '../../contract/journal';
import type { ToolProvenance } from './provenance';
import { trendMarkdown, trendsOf } from './trend';
import { buildReportModel, comparisonRow, type RecoveryFigures, type ReportModel } from './report-model';

/** Renders a journal as Markdown: the verdict first, then the figures, then the detail. */

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function verdict(model: ReportModel): string[] {
  const v = model.verdict;
  const head = `**Verdict: ${v.label}**: ${v.summary}`;
  return v.reasons.length > 1 ? [head, '', ...v.reasons.map((reason) => `- ${reason}`)] : [head];
}

function intent(model: ReportModel): string[] {
  const i = model.intent;
  return [
    ...(i.description ? [i.description, ''] : []),
    'Expected:',
    '',
    ...i.expected.map((line) => `- ${line}`),
    ...(i.method.length > 0 ? ['', `Method: ${i.method.join(', ')}`] : []),
  ];
}

function figures(f: RecoveryFigures | null): string[] {
  if (f === null) return ['No recovery objective was declared, so nothing was measured continuously.'];
  const o = f.objective;
  const streak = f.streakSeconds === null ? '' : ` (about ${f.streakSeconds.toFixed(1)} s)`;
  const latency = f.latency === null ? 'n/a' : `${f.latency.p50} / ${f.latency.p95} / ${f.latency.max} ms`;
  const detected = detectedText(f.detectedBy);
  const witness = witnessText(f.witness);
  const several = f.probes.length > 1;
  const minText = several ? 'per probe, below' : o.minAvailability === null ? '' : `>= ${o.minAvailability} %`;
  return [
    '| Figure | Value | Objective |',
    '|---|---|---|',
    `| Time to detect | ${seconds(f.timeToDetectMs)}${detected ? ` (${detected})` : ''} | |`,
    `| Time to recover | ${seconds(f.timeToRecoverMs)}${witness ? ` (${witness})` : ''} | ${o.withinS === null ? '' : `<= ${o.withinS} s`} |`,
    ...(f.witness === null
      ? []
      : [
          `| Recovered, by the sampler / by the confirming poll | ${seconds(f.samplerRecoveredMs)} / ${seconds(f.pollRecoveredMs)} | |`,
          `| Recovery confirmed (end of the fault window) | ${seconds(f.confirmedMs)} | |`,
        ]),
    `| Availability${several ? ' (lowest probe)' : ''} | ${percent(f.availability)} (${f.sampleCount} samples, ${f.failedCount} failed) | ${minText} |`,
    `| Max consecutive failures | ${f.maxConsecutiveFailures}${streak} | |`,
    ...(f.longestGapMs === null ? [] : [`| Longest gap without a healthy answer | ${seconds(f.longestGapMs)} | |`]),
    `| Latency of healthy samples (p50 / p95 / max) | ${latency} | |`,
    `| Objective met | ${f.met === null ? 'not measured' : f.met ? 'yes' : 'no'} | |`,
    '',
    `t0 (first action): ${f.t0 ?? 'n/a'}`,
    ...(f.witnessReason ? ['', `Time to recover: ${cell(f.witnessReason)}.`] : []),
    ...probeRows(f),
  ];
}

/** The figures per sampled probe, when the journal has them. */
function probeRows(f: RecoveryFigures): string[] {
  if (f.probes.length === 0) return [];
  const rows = f.probes.map(
    (p) =>
      `| ${cell(p.probe)} | ${p.rate}/s | ${percent(p.availability)} | ${p.total} (${p.failed} failed) | ${p.maxConsecutiveFailures} | ${seconds(p.longestGapMs)} | ${seconds(p.firstFailureMs)} | ${seconds(p.recoveredMs)} | ${p.min === null ? 'measured' : `>= ${p.min} %: ${p.met === true ? 'met' : 'missed'}`} |`,
  );
  return [
    '',
    'Per sampled probe, over the fault window (t0 to the confirmed recovery):',
    '',
    '| Probe | Rate | Availability | Samples | Max consecutive failures | Longest gap | First failure | Answering again from | Objective |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ];
}

function probeTable(state: ReadableHypothesisRun | null, missing: string): string[] {
  if (state === null) return [missing];
  const rows = state.probes.map(
    (p) => `| ${cell(activityName(p))} | ${p.status} | ${toleranceText(p)} | ${cell(p.exception[0] ?? summarizeOutput(p.output))} |`,
  );
  return [
    `Steady state met: **${state.steady_state_met ? 'yes' : 'no'}**`,
    '',
    '| Probe | Status | Within tolerance | Output |',
    '|---|---|---|---|',
    ...rows,
  ];
}

function duringTable(polls: readonly ReadableHypothesisRun[]): string[] {
  if (polls.length === 0) return ['No steady-state polls while waiting for recovery.'];
  const rows = polls.map(
    (poll, i) => `| ${i + 1} | ${poll.at ?? ''} | ${poll.steady_state_met ? 'yes' : 'no'} | ${cell(firstFailingProbe(poll))} |`,
  );
  return ['| Poll | At | Met | First failing probe |', '|---|---|---|---|', ...rows];
}

function activityTable(runs: readonly ReadableActivityRun[], none: string): string[] {
  if (runs.length === 0) return [none];
  const rows = runs.map(
    (r, i) =>
      `| ${i + 1} | ${cell(activityName(r))} | ${activityType(r)} | ${r.status}${r.tolerance_met === false ? ' (tolerance missed)' : ''} | ${r.start} | ${r.duration.toFixed(2)} s | ${cell(activityDetail(r))} |`,
  );
  return ['| # | Activity | Type | Status | Start | Duration | Detail |', '|---|---|---|---|---|---|---|', ...rows];
}

/** The journal as a relative Markdown link, when the report knows where it sits. */
function journalLink(model: ReportModel): string {
  const text = model.source.replace(/([[\]])/g, '\\$1');
  return model.href === null ? model.source : `[${text}](${model.href.replace(/[()]/g, (c) => encodeURIComponent(c))})`;
}

/** The Markdown of one report model. */
export function renderMarkdownModel(model: ReportModel): string {
  const journal = model.journal;
  // Faults are undone whatever the strategy, so a skip of the experiment's rollbacks can sit beside runs.
  const skipped = journal.rollbacks_skipped !== null ? [`Skipped: ${journal.rollbacks_skipped}.`] : [];
  const rollbacks =
    journal.rollbacks.length > 0 || skipped.length === 0
      ? [...activityTable(journal.rollbacks, 'None ran.'), ...(skipped.length > 0 ? ['', ...skipped] : [])]
      : skipped;
  return [
    `# ${model.intent.title}`,
    '',
    ...verdict(model),
    '',
    '## Intent',
    '',
    ...intent(model),
    '',
    '## Figures',
    '',
    ...figures(model.figures),
    '',
    '## Run',
    '',
    `- Status: ${journal.status}${journal.deviated ? ' (deviated)' : ''}`,
    `- Started: ${journal.start}; duration ${journal.duration.toFixed(1)} s`,
    `- Experiment: ${journal.experiment_file ?? 'n/a'}; journal: ${journalLink(model)}`,
    `- Target: ${model.target}; rollback strategy: ${journal.rollback_strategy ?? 'n/a'}`,
    `- Image tag: ${model.provenance.imageTag ?? 'not recorded'}; engine: ${model.provenance.engine ?? 'not recorded'}; commit of the run: ${model.provenance.commit ?? 'not recorded'}`,
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

/** The Markdown report of one journal. `source` names the journal file. */
export function renderMarkdownReport(journal: ReadableJournal, source: string): string {
  return renderMarkdownModel(buildReportModel(journal, source));
}

export interface MarkdownReportOptions {
  /** The tool that made the report (version, commit); a closing line names it when given. */
  readonly tool?: ToolProvenance;
}

function toolLine(tool: ToolProvenance | undefined): string[] {
  if (tool === undefined) return [];
  return [
    '',
    `_Made by ${tool.name} ${tool.version}${tool.commit === null ? ' (not in a git checkout)' : ` at commit ${tool.commit}`}._`,
    '',
  ];
}

/** Several journals: a comparison table first, then each report. */
export function renderMarkdownReports(models: readonly ReportModel[], options: MarkdownReportOptions = {}): string {
  const reports = models.map(renderMarkdownModel);
  const closing = toolLine(options.tool).join('\n');
  if (models.length < 2) return reports.join('') + closing;
  const rows = models
    .map(comparisonRow)
    .map(
      (r, i) =>
        `| ${i + 1} | ${cell(journalLink(models[i] as ReportModel))} | ${cell(r.title)} | ${r.start} | ${r.verdict.label} | ${r.timeToDetect}${r.detectedBy ? ` (failed ${r.detectedBy})` : ''} | ${r.timeToRecover} | ${r.availability} | ${r.maxConsecutiveFailures} | ${r.samples} |`,
    );
  const comparison = [
    `# Comparison of ${models.length} runs`,
    '',
    '| # | Journal | Experiment | Started | Verdict | Time to detect | Time to recover | Availability | Max consecutive failures | Samples |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    ...trendsOf(models).flatMap(trendMarkdown),
  ].join('\n');
  return [comparison, ...reports].join('\n---\n\n') + closing;
}
