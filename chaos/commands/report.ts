import { writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { CliIo } from '../io';
import { readableJournalSchema } from '../../contract/journal';
import { readJournalFile } from '../journal/read-journal';
import { renderReport, resolveReportFormat, type JournalSource, type ReportFormat } from '../report/render';

export interface ReportCommandOptions {
  readonly journals: readonly string[];
  readonly out: string | undefined;
  /** Markdown unless given, or unless `out` ends in `.html`. */
  readonly format?: ReportFormat;
}

/** `chaos report`: Markdown or one self-contained HTML page, from journals only. */
export async function reportCommand(options: ReportCommandOptions, io: CliIo): Promise<number> {
  const journals: JournalSource[] = [];
  for (const file of options.journals) journals.push({ journal: await readJournalFile(file, io.cwd, readableJournalSchema), source: file });
  const text = await renderReport(resolveReportFormat(options.format, options.out), journals);
  if (options.out === undefined) io.stdout(text);
  else {
    await writeFile(isAbsolute(options.out) ? options.out : resolve(io.cwd, options.out), text, 'utf8');
    io.stdout(`wrote ${options.out}\n`);
  }
  return 0;
}
