import { writeFile } from 'node:fs/promises';
import type { Journal } from '../../contract/journal';
import { readableJournalSchema, type ReadableJournal } from '../../contract/journal';
import { renderMarkdownReports } from './markdown';
import { buildReportModel } from './report-model';

/** The report formats `report --format` and `run --report` accept. */
export const REPORT_FORMATS = ['markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The file extension of each format (for `run --report`, whose report sits beside the journal). */
export const REPORT_EXTENSIONS: Readonly<Record<ReportFormat, string>> = { markdown: '.md', html: '.html' };

export interface JournalSource {
  readonly journal: ReadableJournal;
  /** The journal file as the user named it. */
  readonly source: string;
}

/** `--format` when given, else what `--out`'s extension says, else Markdown. */
export function resolveReportFormat(format: ReportFormat | undefined, out: string | undefined): ReportFormat {
  if (format !== undefined) return format;
  return out !== undefined && /\.html?$/i.test(out) ? 'html' : 'markdown';
}

/** Renders journals in one format. The HTML renderer (and its charting library) loads only when asked. */
export async function renderReport(format: ReportFormat, journals: readonly JournalSource[]): Promise<string> {
  const models = journals.map((j) => buildReportModel(j.journal, j.source));
  switch (format) {
    case 'markdown':
      return renderMarkdownReports(models);
    case 'html': {
      const { renderHtmlReport } = await import('./html');
      return renderHtmlReport(models, { generatedAt: new Date() });
    }
  }
}

/** `journals/x.json` → `journals/x.html`. */
export function reportPathBeside(journalPath: string, format: ReportFormat): string {
  return `${journalPath.replace(/\.json$/i, '')}${REPORT_EXTENSIONS[format]}`;
}

/**
 * `run --report`: renders a journal just written and writes the report beside it. Returns the
 * report's path as the user would name it (beside `shownPath`, the journal as named on the command line).
 */
export async function writeReportBeside(journal: Journal, journalPath: string, shownPath: string, format: ReportFormat): Promise<string> {
  const text = await renderReport(format, [{ journal: readableJournalSchema.parse(journal), source: shownPath }]);
  await writeFile(reportPathBeside(journalPath, format), text, 'utf8');
  return reportPathBeside(shownPath, format);
}
