import { writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { CliIo } from '../io';
import { readJournalFile } from '../journal/read-journal';
import { renderReport, reportJournalSchema, resolveReportFormat, type JournalSource, type ReportFormat } from '../report/render';

export interface ReportCommandOptions {
  readonly journals: readonly string[];
  readonly out: string | undefined;
  /** Markdown unless given, or unless `out` ends in `.html`. */
  readonly format?: ReportFormat;
}

/**
 * `chaos report`: Markdown or one self-contained HTML page, from journals only. Journals are linked
 * relative to the report file (to the working directory when the report goes to stdout).
 */
export async function reportCommand(options: ReportCommandOptions, io: CliIo): Promise<number> {
  const at = (file: string) => (isAbsolute(file) ? file : resolve(io.cwd, file));
  const journals: JournalSource[] = [];
  for (const file of options.journals)
    journals.push({ journal: await readJournalFile(file, io.cwd, reportJournalSchema), source: file, path: at(file) });
  const out = options.out === undefined ? undefined : at(options.out);
  const text = await renderReport(resolveReportFormat(options.format, options.out), journals, {
    cwd: io.cwd,
    reportDir: out === undefined ? io.cwd : dirname(out),
  });
  if (out === undefined) io.stdout(text);
  else {
    await writeFile(out, text, 'utf8');
    io.stdout(`wrote ${options.out}\n`);
  }
  return 0;
}
