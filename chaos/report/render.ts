import { writeFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { Journal } from '../../contract/journal';
import { readableJournalSchema, type ReadableJournal } from '../../contract/journal';
import { renderMarkdownReports } from './markdown';
import { hrefOf, machineRoots, relativePath, scrubPaths, toolProvenance, type ToolProvenance } from './provenance';
import { buildReportModel } from './report-model';

/** The report formats `report --format` and `run --report` accept. */
export const REPORT_FORMATS = ['markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The file extension of each format (for `run --report`, whose report sits beside the journal). */
export const REPORT_EXTENSIONS: Readonly<Record<ReportFormat, string>> = { markdown: '.md', html: '.html' };

/** A journal as reports read it: the readable fields, plus the provenance the journal records. */
export const reportJournalSchema = readableJournalSchema.extend({
  'chaos-engine': z.string().optional(),
  git_commit: z.string().nullable().optional(),
});

export interface JournalSource {
  readonly journal: ReadableJournal;
  /** The journal file as the user named it. */
  readonly source: string;
  /** Its absolute path, so the report can link to it relative to where the report is written. */
  readonly path?: string;
}

export interface RenderOptions {
  /** The directory the report is written to (stdout: the working directory); links are relative to it. */
  readonly reportDir?: string;
  /** The working directory (paths under it are shown relative to it). */
  readonly cwd?: string;
  /** The tool that makes the report; read from package.json and git when not given. */
  readonly tool?: ToolProvenance;
}

/** `--format` when given, else what `--out`'s extension says, else Markdown. */
export function resolveReportFormat(format: ReportFormat | undefined, out: string | undefined): ReportFormat {
  if (format !== undefined) return format;
  return out !== undefined && /\.html?$/i.test(out) ? 'html' : 'markdown';
}

/**
 * Renders journals in one format. The HTML renderer (and its charting library) loads only when asked.
 * Each journal is named, and linked, relative to `reportDir`; no absolute path of this machine
 * (report directory, repository, working directory, home, temporary directory) is left in the text.
 */
export async function renderReport(format: ReportFormat, journals: readonly JournalSource[], options: RenderOptions = {}): Promise<string> {
  const cwd = options.cwd ?? process.cwd();
  const reportDir = options.reportDir ?? cwd;
  const models = journals.map((j) => {
    if (j.path === undefined) return buildReportModel(j.journal, j.source);
    const shown = relativePath(reportDir, j.path);
    return buildReportModel(j.journal, shown, hrefOf(shown));
  });
  const tool = options.tool ?? (await toolProvenance());
  const text = await renderFormat(format, models, tool);
  return scrubPaths(text, machineRoots(reportDir, cwd));
}

async function renderFormat(
  format: ReportFormat,
  models: Parameters<typeof renderMarkdownReports>[0],
  tool: ToolProvenance,
): Promise<string> {
  switch (format) {
    case 'markdown':
      return renderMarkdownReports(models, { tool });
    case 'html': {
      const { renderHtmlReport } = await import('./html');
      return renderHtmlReport(models, { generatedAt: new Date(), tool });
    }
  }
}

/** `journals/x.json` → `journals/x.html`. */
export function reportPathBeside(journalPath: string, format: ReportFormat): string {
  return `${journalPath.replace(/\.json$/i, '')}${REPORT_EXTENSIONS[format]}`;
}

/**
 * `run --report`: renders a journal just written and writes the report beside it (so it links to the
 * journal by its file name). Returns the report's path as the user would name it (beside `shownPath`,
 * the journal as named on the command line).
 */
export async function writeReportBeside(journal: Journal, journalPath: string, shownPath: string, format: ReportFormat): Promise<string> {
  const absolute = resolve(journalPath);
  const text = await renderReport(format, [{ journal: reportJournalSchema.parse(journal), source: basename(shownPath), path: absolute }], {
    reportDir: dirname(absolute),
  });
  await writeFile(reportPathBeside(journalPath, format), text, 'utf8');
  return reportPathBeside(shownPath, format);
}
