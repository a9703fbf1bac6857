import { z } from 'zod';
import { isJsonObject, type JsonObject, type JsonValue } from '../../contract/json';
import { percent, seconds } from './format';
import type { ProbeFigures, ReadableJournal } from '../../contract/journal';
import { verdictKind, type VerdictKind } from '../journal/verdict';

/**
 * What every report says about a journal, computed once: the verdict, the experiment's intent and the
 * recovery figures. The Markdown and HTML renderers only lay this out.
 */

export type { VerdictKind } from '../journal/verdict';

export interface Verdict {
  readonly kind: VerdictKind;
  /** `PASSED`, `DEVIATED`, `FAILED`…; for a status we do not know, that status in capitals. */
  readonly label: string;
  /** One sentence: why it passed, or the most severe reason it did not. */
  readonly summary: string;
  /** Every reason the journal gives, most severe first (empty when passed). */
  readonly reasons: readonly string[];
}

/** One sampled probe of the objective; fields it did not declare are null. */
export interface SampledProbe {
  readonly probe: string | null;
  readonly min: number | null;
  readonly rate: number | null;
  readonly timeoutS: number | null;
}

/**
 * The recovery objective as the experiment declared it; fields it did not declare are null.
 * `minAvailability`, `probe`, `rate` and `timeoutS` are the first sampled probe's.
 */
export interface Objective {
  readonly withinS: number | null;
  readonly pollS: number | null;
  readonly minAvailability: number | null;
  readonly probe: string | null;
  readonly rate: number | null;
  readonly timeoutS: number | null;
  /** Every sampled probe, in order (one for journals written before several could be sampled). */
  readonly sampled: readonly SampledProbe[];
}

/** One availability sample: `t` in ms since t0. */
export interface Sample {
  readonly t: number;
  readonly ok: boolean;
  readonly status?: number;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** The figures of one sampled probe over the fault window. */
export type ProbeRow = ProbeFigures;

export interface RecoveryFigures {
  readonly t0: string | null;
  readonly timeToDetectMs: number | null;
  /** What saw the failure first (null in older journals, or when nothing failed). */
  readonly detectedBy: 'sampler' | 'poll' | null;
  readonly timeToRecoverMs: number | null;
  /** Which figure the time to recover is, and why (null and empty in older journals). */
  readonly witness: 'sampler' | 'poll' | null;
  readonly witnessReason: string;
  readonly pollRecoveredMs: number | null;
  readonly samplerRecoveredMs: number | null;
  /** When recovery was confirmed: the end of the fault window the figures cover. */
  readonly confirmedMs: number | null;
  /** Longest time without a healthy answer of any sampled probe; null in older journals. */
  readonly longestGapMs: number | null;
  /** Per sampled probe (empty in older journals). */
  readonly probes: readonly ProbeRow[];
  readonly availability: number | null;
  readonly maxConsecutiveFailures: number;
  /** The longest failure streak in seconds (streak / rate); null without a rate or a streak. */
  readonly streakSeconds: number | null;
  readonly sampleCount: number;
  readonly failedCount: number;
  /** Latency of the healthy samples; null when none was healthy. */
  readonly latency: LatencySummary | null;
  readonly met: boolean | null;
  readonly objective: Objective;
  readonly samples: readonly Sample[];
}

export interface Intent {
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** What the experiment expects to see, one plain sentence each. */
  readonly expected: readonly string[];
  /** The method as declared: `name (type)`. */
  readonly method: readonly string[];
}

/** What a run ran: as far as its journal records it (null where it does not). */
export interface RunProvenance {
  /** `ecs-chaos-platform 0.1.0`: the engine that wrote the journal. */
  readonly engine: string | null;
  /** The commit the run was made from, when the journal records `git_commit`. */
  readonly commit: string | null;
  /** The image tag the target ran, from the journal's outputs (`imageTag`, or `imageTags` per service). */
  readonly imageTag: string | null;
}

export interface ReportModel {
  /** The journal file: relative to the report when the report knows where it is written. */
  readonly source: string;
  /** A relative link from the report to the journal; null when the report does not know its place. */
  readonly href: string | null;
  readonly provenance: RunProvenance;
  readonly journal: ReadableJournal;
  readonly intent: Intent;
  readonly verdict: Verdict;
  readonly figures: RecoveryFigures | null;
  /** `local / test`, or `n/a` when the journal has no outputs. */
  readonly target: string;
}

const sampledSchema = z.object({
  min: z.number().optional(),
  probe: z.string().optional(),
  rate: z.number().optional(),
  timeout: z.number().optional(),
});

/** Journals record one sampled probe as an object (older ones) or a list. */
const objectiveSchema = z.object({
  within: z.number().optional(),
  poll: z.number().optional(),
  availability: z.union([sampledSchema, z.array(sampledSchema)]).optional(),
});

function readObjective(raw: JsonObject | null): Objective {
  const parsed = objectiveSchema.safeParse(raw ?? {});
  const o = parsed.success ? parsed.data : {};
  const listed = o.availability === undefined ? [] : Array.isArray(o.availability) ? o.availability : [o.availability];
  const sampled = listed.map((a): SampledProbe => ({
    probe: a.probe ?? null,
    min: a.min ?? null,
    rate: a.rate ?? null,
    timeoutS: a.timeout ?? null,
  }));
  const first = sampled[0];
  return {
    withinS: o.within ?? null,
    pollS: o.poll ?? null,
    minAvailability: first?.min ?? null,
    probe: first?.probe ?? null,
    rate: first?.rate ?? null,
    timeoutS: first?.timeoutS ?? null,
    sampled,
  };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

function latencyOf(samples: readonly Sample[]): LatencySummary | null {
  const healthy = samples.filter((s) => s.ok).map((s) => s.latencyMs);
  if (healthy.length === 0) return null;
  healthy.sort((a, b) => a - b);
  return { p50: percentile(healthy, 50), p95: percentile(healthy, 95), max: healthy[healthy.length - 1] ?? 0 };
}

function figuresOf(journal: ReadableJournal): RecoveryFigures | null {
  const r = journal.recovery;
  if (r === null) return null;
  const objective = readObjective(r.objective);
  // The figures cover the fault window; samples after the confirmed recovery are drawn, not counted.
  const windowed = r.confirmedMs === null ? r.samples : r.samples.filter((s) => s.t <= (r.confirmedMs ?? Infinity));
  const failedCount = windowed.reduce((n, s) => n + (s.ok ? 0 : 1), 0);
  // The longest streak's duration: measured (the longest gap) when the journal has it, else streak / rate.
  const streakSeconds =
    r.maxConsecutiveFailures === 0
      ? null
      : r.longestGapMs !== null
        ? r.longestGapMs / 1000
        : objective.rate === null
          ? null
          : r.maxConsecutiveFailures / objective.rate;
  return {
    t0: r.t0,
    timeToDetectMs: r.timeToDetectMs,
    detectedBy: r.detectedBy,
    timeToRecoverMs: r.timeToRecoverMs,
    witness: r.witness,
    witnessReason: r.witnessReason,
    pollRecoveredMs: r.pollRecoveredMs,
    samplerRecoveredMs: r.samplerRecoveredMs,
    confirmedMs: r.confirmedMs,
    longestGapMs: r.longestGapMs,
    probes: r.probes,
    availability: r.availability,
    maxConsecutiveFailures: r.maxConsecutiveFailures,
    streakSeconds,
    sampleCount: windowed.length,
    failedCount,
    latency: latencyOf(windowed),
    met: r.met,
    objective,
    samples: r.samples,
  };
}

function verdictOf(journal: ReadableJournal, figures: RecoveryFigures | null): Verdict {
  const kind = verdictKind(journal);
  if (kind === 'passed') {
    const summary =
      figures === null
        ? 'the steady state held before and after the method.'
        : `the steady state held; recovered in ${seconds(figures.timeToRecoverMs)}${figures.availability === null ? '' : ` with ${figures.availability}% availability`}, within the objective.`;
    return { kind, label: 'PASSED', summary, reasons: [] };
  }
  return {
    kind,
    label: kind === 'other' ? journal.status.toUpperCase() : kind.toUpperCase(),
    summary: journal.reasons[0] ?? 'see below.',
    reasons: journal.reasons,
  };
}

function text(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

function intentOf(journal: ReadableJournal, figures: RecoveryFigures | null): Intent {
  const e = journal.experiment;
  const hypothesis = e['steady-state-hypothesis'];
  const hypothesisTitle = isJsonObject(hypothesis) ? text(hypothesis.title) : '';
  const expected: string[] = [];
  if (hypothesisTitle) expected.push(`The steady state "${hypothesisTitle}" holds before the fault and again after it.`);
  const o = figures?.objective;
  if (o?.withinS != null) expected.push(`The platform recovers within ${o.withinS} s of the first action.`);
  for (const a of o?.sampled ?? []) {
    const how = [a.probe === null ? '' : `"${a.probe}"`, a.rate === null ? '' : `sampled ${a.rate} times a second`]
      .filter(Boolean)
      .join(', ');
    if (a.min !== null) expected.push(`Availability stays at or above ${percent(a.min)}${how ? ` (${how})` : ''}.`);
    else if (how) expected.push(`Availability is measured (${how}), not judged.`);
  }
  if (expected.length === 0) expected.push('The method runs without failing.');
  const method = Array.isArray(e.method)
    ? e.method.flatMap((a) =>
        isJsonObject(a) ? [`${text(a.name) || text(a.ref) || '(unnamed)'}${text(a.type) ? ` (${text(a.type)})` : ''}`] : [],
      )
    : [];
  const tags = Array.isArray(e.tags) ? e.tags.filter((t): t is string => typeof t === 'string') : [];
  return { title: text(e.title) || 'Experiment', description: text(e.description), tags, expected, method };
}

function targetOf(journal: ReadableJournal): string {
  const outputs = journal.outputs;
  if (!outputs || typeof outputs.target !== 'string') return 'n/a';
  return `${outputs.target}${typeof outputs.environment === 'string' ? ` / ${outputs.environment}` : ''}`;
}

function stringField(o: JsonObject | null | undefined, key: string): string | null {
  const v = o?.[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

function imageTagOf(outputs: JsonObject | null): string | null {
  const one = stringField(outputs, 'imageTag') ?? stringField(outputs, 'image_tag');
  if (one !== null) return one;
  const many = outputs?.imageTags;
  if (!isJsonObject(many)) return null;
  const tags = Object.entries(many).flatMap(([service, tag]) => (typeof tag === 'string' ? [`${service} ${tag}`] : []));
  return tags.length === 0 ? null : tags.join(', ');
}

/** The journal's own provenance fields (kept by the report's journal schema beside the readable ones). */
function provenanceOf(journal: ReadableJournal): RunProvenance {
  const raw = journal as ReadableJournal & { readonly 'chaos-engine'?: unknown; readonly git_commit?: unknown };
  return {
    engine: typeof raw['chaos-engine'] === 'string' ? raw['chaos-engine'] : null,
    commit: typeof raw.git_commit === 'string' && raw.git_commit !== '' ? raw.git_commit : null,
    imageTag: imageTagOf(journal.outputs),
  };
}

/** The model every report renders. `source` names the journal file; `href` links to it from the report. */
export function buildReportModel(journal: ReadableJournal, source: string, href: string | null = null): ReportModel {
  const figures = figuresOf(journal);
  return {
    source,
    href,
    provenance: provenanceOf(journal),
    journal,
    intent: intentOf(journal, figures),
    verdict: verdictOf(journal, figures),
    figures,
    target: targetOf(journal),
  };
}

/** One row of the comparison of several journals (the same experiment over days, say). */
export interface ComparisonRow {
  readonly source: string;
  readonly title: string;
  readonly start: string;
  readonly verdict: Verdict;
  readonly status: string;
  readonly timeToDetect: string;
  /** What detected the failure: `sample` or `poll`, empty when nothing did. */
  readonly detectedBy: string;
  readonly timeToRecover: string;
  readonly availability: string;
  readonly maxConsecutiveFailures: string;
  readonly samples: string;
}

export function comparisonRow(model: ReportModel): ComparisonRow {
  const f = model.figures;
  return {
    source: model.source,
    title: model.intent.title,
    start: model.journal.start,
    verdict: model.verdict,
    status: `${model.journal.status}${model.journal.deviated ? ' (deviated)' : ''}`,
    timeToDetect: seconds(f?.timeToDetectMs ?? null),
    detectedBy: f?.timeToDetectMs == null ? '' : f.detectedBy === 'sampler' ? 'sample' : f.detectedBy === 'poll' ? 'poll' : '',
    timeToRecover: seconds(f?.timeToRecoverMs ?? null),
    availability: percent(f?.availability ?? null),
    maxConsecutiveFailures: f === null ? 'n/a' : String(f.maxConsecutiveFailures),
    samples: f === null ? 'n/a' : `${f.sampleCount} (${f.failedCount} failed)`,
  };
}
